#!/usr/bin/env bash
# Installs the Python tools used by stackcraft's checks into separate virtualenvs:
#   .venv/cfn-lint, .venv/checkov, .venv/moto   (relative to the repository root)
# Each tool is pinned in scripts/python-requirements/<tool>.txt. The script is idempotent:
# a venv whose marker file (.stackcraft-requirements.sha256) matches the hash of its
# requirement file is left alone. Usage: scripts/python-tools.sh [tool...]
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
REQ_DIR="scripts/python-requirements"
TOOLS=("$@")
if [ "${#TOOLS[@]}" -eq 0 ]; then
    TOOLS=(cfn-lint checkov moto)
fi

hash_of() {
    # Hash of the requirement file plus the interpreter version (a new Python needs a new venv).
    { cat "$1"; "$PYTHON" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1
}

install_tool() {
    local tool="$1"
    local req="$REQ_DIR/$tool.txt"
    local venv=".venv/$tool"
    local marker="$venv/.stackcraft-requirements.sha256"
    if [ ! -f "$req" ]; then
        echo "python-tools: no requirement file $req" >&2
        return 1
    fi
    local want
    want="$(hash_of "$req")"
    if [ -f "$marker" ] && [ "$(cat "$marker")" = "$want" ]; then
        echo "python-tools: $tool is up to date ($venv)"
        return 0
    fi
    echo "python-tools: installing $tool into $venv"
    rm -rf "$venv"
    "$PYTHON" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
    echo "$want" > "$marker"
}

for tool in "${TOOLS[@]}"; do
    install_tool "$tool"
done

echo "python-tools: versions"
for tool in "${TOOLS[@]}"; do
    case "$tool" in
        cfn-lint) echo "  cfn-lint: $(.venv/cfn-lint/bin/cfn-lint --version 2>&1)" ;;
        # --skip-download keeps checkov offline (no Bridgecrew/Prisma platform calls).
        checkov) echo "  checkov: $(.venv/checkov/bin/checkov --skip-download --version 2>&1)" ;;
        moto) echo "  moto: $(.venv/moto/bin/python -c 'import moto; print(moto.__version__)' 2>&1)" ;;
        *) echo "  $tool: installed" ;;
    esac
done
