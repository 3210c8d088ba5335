#!/bin/sh
# Creates a throw-away RAUC key set for development and CI builds:
#   DIR/ca.cert.pem       keyring installed on the tablet (verifies bundles)
#   DIR/signing.key.pem   bundle signing key (never commit it)
#   DIR/signing.cert.pem  its certificate, signed by the CA
# Use: rauc-dev-keys.sh DIR, then BES2600_RAUC_KEYDIR = "DIR" in local.conf (kas does this).
# Production keys belong in an HSM or at least outside the build tree; see SECURITY.md.
set -eu
dir="${1:?usage: rauc-dev-keys.sh DIR}"
[ -e "$dir/signing.key.pem" ] && { echo "$dir already has keys, leaving them"; exit 0; }
mkdir -p "$dir"
umask 077
days=3650
openssl req -x509 -newkey rsa:4096 -nodes -days "$days" -subj "/O=bes2600-rs development/CN=bes2600-rs development CA" \
    -keyout "$dir/ca.key.pem" -out "$dir/ca.cert.pem" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
openssl req -newkey rsa:4096 -nodes -subj "/O=bes2600-rs development/CN=bes2600-rs development signing" \
    -keyout "$dir/signing.key.pem" -out "$dir/signing.csr.pem"
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n# No extendedKeyUsage: RAUC checks the S/MIME signing purpose by default.\n' > "$dir/signing.ext"
openssl x509 -req -in "$dir/signing.csr.pem" -CA "$dir/ca.cert.pem" -CAkey "$dir/ca.key.pem" \
    -CAcreateserial -days "$days" -extfile "$dir/signing.ext" -out "$dir/signing.cert.pem"
rm -f "$dir/signing.csr.pem" "$dir/signing.ext"
chmod 0644 "$dir/ca.cert.pem" "$dir/signing.cert.pem"
echo "RAUC development keys in $dir"
