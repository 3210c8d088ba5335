# The boot-time smoke test binary, when the image carries it (cross-built for aarch64).
smoke_exit=null
if $associated && [ -x /bin/bes2600-smoke ]; then
    bes2600-smoke run -c /etc/bes2600/smoke.toml --json /tmp/smoke.json >/tmp/smoke.out 2>&1
    smoke_exit=$?
    tail -25 /tmp/smoke.out | sed 's/^/E2E smoke: /'
    e smoke_exit $smoke_exit
fi
result smoke_exit $smoke_exit
