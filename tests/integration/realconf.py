"""Configuration files of the integration cloud's real services.

Written here, not copied: only the stock paste files of the installed packages
are referenced, by path. Every service pages small (``PAGE_SIZE``) so the
auditor walks real pages; keystonemiddleware looks up Keystone's ``public``
identity endpoint (Keystone is bootstrapped with public and internal URLs).

Two services run twice, on the same data, with the setting a test needs:

* a second Keystone (``keystone-limited``: same database and keys, so its
  tokens are the first one's) with ``list_limit`` set and domain-specific
  identity drivers, at the default ``max_db_limit``, as a large deployment
  runs it;
* a second Nova API (``nova-downcell``: copies of the API and cell1 databases)
  whose cell2 is down: its database cannot be opened.
"""

from __future__ import annotations

from pathlib import Path

from seedplan import DEFAULT_AZ, EXTERNAL_NETWORK, LIMITED_LIST_LIMIT, REGION

PAGE_SIZE = 2
"""The services' largest page (Keystone max_db_limit, Nova max_limit, Cinder
osapi_max_limit, Glance api_limit_max, Neutron pagination_max_limit): small, so
that every listing spans several real pages."""

DOWNCELL_PAGE = 10
"""Nova ``max_limit`` of the down-cell API: room on the first page for partial records."""


def _authtoken(keystone: str, user: str, password: str) -> str:
    return f"""
[keystone_authtoken]
www_authenticate_uri = {keystone}/v3
auth_url = {keystone}/v3
auth_type = password
username = {user}
password = {password}
user_domain_name = Default
project_name = service
project_domain_name = Default
region_name = {REGION}
memcached_servers =
service_token_roles_required = true
interface = public
"""


_POLICY = """
[oslo_policy]
enforce_scope = false
enforce_new_defaults = false
"""


def keystone_conf(work: Path, *, limited: bool = False) -> str:
    if limited:
        # list_limit as Keystone advises large clouds, LDAP-style domain drivers
        # (an unfiltered user listing sees the token's domain only), the default
        # max_db_limit (1000).
        (work / "keystone-domains").mkdir(exist_ok=True)
        extra = f"""list_limit = {LIMITED_LIST_LIMIT}
[identity]
password_hash_rounds = 4
domain_specific_drivers_enabled = true
domain_config_dir = {work}/keystone-domains
"""
    else:
        # bcrypt at its cheapest: the tests authenticate often, security is moot here.
        extra = f"""max_db_limit = {PAGE_SIZE}
[identity]
password_hash_rounds = 4
"""
    return f"""[DEFAULT]
debug = false
{extra}[database]
connection = sqlite:///{work}/keystone.db
[fernet_tokens]
key_repository = {work}/keystone-fernet-keys
[credential]
key_repository = {work}/keystone-credential-keys
[cache]
enabled = false
{_POLICY}"""


def nova_conf(
    work: Path, keystone: str, neutron: str, password: str, *, downcell: bool = False
) -> str:
    suffix, page = ("_downcell", DOWNCELL_PAGE) if downcell else ("", PAGE_SIZE)
    return f"""[DEFAULT]
debug = false
transport_url = fake://
rpc_response_timeout = 5
state_path = {work}/nova-state
default_availability_zone = {DEFAULT_AZ}
[api]
auth_strategy = keystone
max_limit = {page}
[api_database]
connection = sqlite:///{work}/nova_api{suffix}.db
[database]
connection = sqlite:///{work}/nova_cell1{suffix}.db
[oslo_concurrency]
lock_path = {work}/nova-state/locks
[cache]
enabled = false
[neutron]
auth_type = password
auth_url = {keystone}/v3
username = nova
password = {password}
user_domain_name = Default
project_name = service
project_domain_name = Default
region_name = {REGION}
endpoint_override = {neutron}
{_authtoken(keystone, "nova", password)}{_POLICY}"""


def cinder_conf(work: Path, venv: Path, keystone: str, password: str) -> str:
    return f"""[DEFAULT]
debug = false
auth_strategy = keystone
transport_url = fake://
rpc_response_timeout = 5
state_path = {work}/cinder-state
api_paste_config = {venv}/etc/cinder/api-paste.ini
storage_availability_zone = fr1-az1
osapi_max_limit = {PAGE_SIZE}
[database]
connection = sqlite:///{work}/cinder.db
[coordination]
backend_url = file://{work}/cinder-state/coordination
[oslo_concurrency]
lock_path = {work}/cinder-state/locks
{_authtoken(keystone, "cinder", password)}{_POLICY}"""


def glance_conf(work: Path, venv: Path, keystone: str, password: str, url: str) -> str:
    store = work / "glance-state"
    # enabled_import_methods is a list: written without brackets, every image
    # create answers 500 (though the image is made).
    return f"""[DEFAULT]
debug = false
api_limit_max = {PAGE_SIZE}
image_cache_dir = {store}/cache
worker_self_reference_url = {url}
node_staging_uri = file://{store}/staging
enabled_import_methods = [glance-direct,web-download]
[database]
connection = sqlite:///{work}/glance.db
[glance_store]
stores = file
default_store = file
filesystem_store_datadir = {store}/images
[os_glance_staging_store]
filesystem_store_datadir = {store}/staging
[os_glance_tasks_store]
filesystem_store_datadir = {store}/tasks
[paste_deploy]
flavor = keystone
config_file = {venv}/etc/glance/glance-api-paste.ini
{_authtoken(keystone, "glance", password)}{_POLICY}"""


def neutron_conf(work: Path, venv: Path, keystone: str, password: str) -> str:
    state = work / "neutron-state"
    return f"""[DEFAULT]
debug = false
core_plugin = ml2
service_plugins = router
transport_url = fake://
auth_strategy = keystone
api_paste_config = {venv}/etc/neutron/api-paste.ini
state_path = {state}
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
rpc_workers = 0
pagination_max_limit = {PAGE_SIZE}
[database]
connection = sqlite:///{work}/neutron.db
[oslo_concurrency]
lock_path = {state}/locks
[ml2]
type_drivers = flat,vxlan
tenant_network_types = vxlan
mechanism_drivers = logger
extension_drivers = port_security
[ml2_type_vxlan]
vni_ranges = 1000:1999
[ml2_type_flat]
flat_networks = {EXTERNAL_NETWORK}
{_authtoken(keystone, "neutron", password)}{_POLICY}"""
