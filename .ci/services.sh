#!/usr/bin/env bash
# Install the real OpenStack services (Keystone, Nova API, Cinder API, Glance API,
# Neutron server) that the integration tests (tests/integration/) run on
# loopback, in a virtualenv of their own, separate from the auditor's.
#
# Idempotent: the venv lives in a cache directory named after the hash of the
# pinned versions, and a marker file written last says it is complete; a
# complete venv is left as it is, a partial one (interrupted install) is
# rebuilt. The test fixture (tests/integration/realcloud.py) computes the same
# default path; AUDITOR_SERVICES_VENV overrides it for both.
#
#   AUDITOR_SERVICES_VENV   where the venv goes (default: ~/.cache/auditor/services-venv-<hash>)
#   AUDITOR_SERVICES_PYTHON interpreter to build it with (default: python3; 3.10-3.12)
set -euo pipefail
cd "$(dirname "$0")/.."

here=tests/integration
requirements=$here/services-requirements.txt
constraints=$here/services-constraints.txt

hash=$(cat "$requirements" "$constraints" | sha256sum | cut -c1-16)
venv=${AUDITOR_SERVICES_VENV:-$HOME/.cache/auditor/services-venv-$hash}
marker=$venv/.auditor-services-complete
python=${AUDITOR_SERVICES_PYTHON:-python3}

echo "== services venv: $venv"
if [[ -f $marker && $(cat "$marker") == "$hash" ]]; then
    echo "already complete (pins $hash), nothing to do"
    exit 0
fi

mkdir -p "$(dirname "$venv")"
# Two CI runs on one machine must not build the same venv at once.
exec 9>"$venv.lock"
flock 9
if [[ -f $marker && $(cat "$marker") == "$hash" ]]; then
    echo "completed by another run meanwhile, nothing to do"
    exit 0
fi

started=$SECONDS
rm -rf "$venv"
"$python" -c 'import sys; sys.exit(not ((3, 10) <= sys.version_info[:2] <= (3, 12)))' || {
    echo "services.sh: $python is $("$python" --version 2>&1); the pinned services need 3.10-3.12" >&2
    exit 2
}
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --requirement "$requirements" --constraint "$constraints" \
    2> >(grep -v "^WARNING: Location 'file:" >&2)
# Fail now, not in the middle of a test session, if an entry point is missing
# (one interpreter each: Nova and Cinder register clashing global options).
# (The Glance and Neutron WSGI modules read their config at import: their
# routers and migration models stand for them.)
for module in keystone.server.wsgi nova.api.openstack.wsgi_app cinder.wsgi.wsgi \
    glance.api.v2.router neutron.api.v2.base neutron.db.migration.models.head; do
    if ! out=$("$venv/bin/python" -c "import $module" 2>&1); then
        echo "$out" >&2
        echo "services.sh: cannot import $module" >&2
        exit 1
    fi
done
for tool in keystone-manage nova-manage cinder-manage glance-manage neutron-db-manage; do
    [[ -x $venv/bin/$tool ]] || { echo "services.sh: $tool was not installed" >&2; exit 1; }
done
echo "$hash" >"$marker"
echo "installed in $((SECONDS - started)) s"
