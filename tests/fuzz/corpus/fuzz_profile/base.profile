# base: what every leastpriv profile starts from. It grants nothing by
# itself; it withholds the usual CI secrets and sets the safe defaults.
[Profile]
Description=Safe defaults: no capabilities, loopback-only network, CI secrets withheld

[Capabilities]
# Tests should not need root's powers; a profile that does names each one.
Keep=

[Syscalls]
# Nothing is allowed here: the profiles that include base say what is.
# What no line names is refused with EPERM, which programs handle as
# "not permitted" instead of crashing on an unexpected ENOSYS.
DefaultAction=errno:EPERM

[Network]
# A private network namespace with only lo up: local servers work, the
# outside world (and the host's own listening ports) are out of reach.
Namespace=loopback
# Local sockets and TCP/UDP over IPv4/IPv6: what ordinary tests use.
AddressFamilies=AF_UNIX AF_INET AF_INET6

[Environment]
# CI secrets: tokens, passwords and cloud credentials never reach a test
# that did not ask for them by name (Pass=).
Withhold=*TOKEN* *SECRET* *PASSWORD* *PASSWD* *_KEY *_KEY_ID *CREDENTIALS*
Withhold=AWS_* AZURE_* GOOGLE_APPLICATION_CREDENTIALS GCP_* SSH_AUTH_SOCK
Withhold=NPM_TOKEN NODE_AUTH_TOKEN GH_* GITHUB_TOKEN CI_JOB_TOKEN VAULT_*
Withhold=DOCKER_AUTH_CONFIG KUBECONFIG

[Limits]
# Enough for parallel builds, low enough to stop a fork bomb.
Processes=4096
OpenFiles=4096
