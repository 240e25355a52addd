#!/usr/bin/env bash
# Installs the Python tools used by stackcraft's checks into separate virtualenvs:
#   .venv/cfn-lint, .venv/checkov, .venv/moto   (relative to the repository root)
# Each tool is pinned in scripts/python-requirements/<tool>.txt, and its whole dependency set
# in <tool>.constraints.txt (pip constraints: what the tests passed with), so dependencies
# cannot drift; after installing, the venv's `pip freeze` must be exactly that set. The script
# is idempotent: a venv whose marker file (.stackcraft-requirements.sha256) matches the hash of
# its pin files is left alone. Usage: scripts/python-tools.sh [tool...]
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
REQ_DIR="scripts/python-requirements"
TOOLS=("$@")
if [ "${#TOOLS[@]}" -eq 0 ]; then
    TOOLS=(cfn-lint checkov moto)
fi

hash_of() {
    # Hash of the pin files plus the interpreter version (a new Python needs a new venv).
    { cat "$@"; "$PYTHON" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1
}

# name==version lines of a pin file or of `pip freeze`, names normalised, sorted.
pins() {
    grep -v '^[[:space:]]*\(#\|$\)' | sed 's/\[[^]]*\]//' | tr 'A-Z_.' 'a-z--' | sort
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
    # The full set: the constraints file, or the requirement file when it is already complete.
    local constraints="$REQ_DIR/$tool.constraints.txt"
    local full="$req" install=(-r "$req")
    if [ -f "$constraints" ]; then
        full="$constraints"
        install+=(-c "$constraints")
    fi
    local want
    want="$(hash_of "$req" "$full")"
    if [ -f "$marker" ] && [ "$(cat "$marker")" = "$want" ]; then
        echo "python-tools: $tool is up to date ($venv)"
        return 0
    fi
    echo "python-tools: installing $tool into $venv"
    rm -rf "$venv"
    "$PYTHON" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${install[@]}"
    local drift
    drift="$(diff <(pins < "$full") <("$venv/bin/python" -m pip freeze --disable-pip-version-check | pins))" || {
        echo "python-tools: $tool installed another set than $full pins (< pinned, > installed):" >&2
        echo "$drift" >&2
        return 1
    }
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
