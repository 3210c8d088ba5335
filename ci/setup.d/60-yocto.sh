# shellcheck shell=bash
# Yocto layer checks (ci/tests.d/60-yocto.sh): oelint-adv lints the recipes, kas ships the JSON
# schema the kas files are validated against (offline; no bitbake run), jsonschema + PyYAML
# do that validation. Versions pinned; all go into the project venv.
pip_install oelint-adv==9.11.2 kas==5.5 jsonschema==4.23.0 PyYAML==6.0.2
