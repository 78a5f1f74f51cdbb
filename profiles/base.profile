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
# Local sockets and TCP/UDP over IPv4/IPv6: what ordinary tests use. And
# route netlink, without which getifaddrs() (Go's net, Node's
# os.networkInterfaces) fails: in the run's own namespace it shows lo
# alone, and changing anything needs CAP_NET_ADMIN. Other netlink
# protocols (audit, uevents, netfilter) stay findings.
AddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK:ROUTE

[Filesystem]
# The host's files read-only, root included: a test that writes outside
# the paths a profile names is reported, and the host stays as it was.
ProtectSystem=strict
# A /tmp, /var/tmp and /dev/shm of the run's own, gone when it ends
# (sized by [Limits] TmpSize=).
PrivateTmp=yes
# A minimal /dev: null zero full random urandom tty, and ptys.
PrivateDevices=yes
# /proc/sys, /sys and cgroupfs read-only.
ProtectKernelTunables=yes
ProtectControlGroups=yes
# No set-user-ID or set-group-ID files: a capless root command could
# otherwise leave a set-user-ID-root program in its workspace.
RestrictSUIDSGID=yes
# Credential stores and host-service sockets: hidden, whatever the user
# (each with '-': most hosts lack some).
InaccessiblePaths=-/etc/shadow -/etc/gshadow -/etc/shadow- -/etc/gshadow-
InaccessiblePaths=-/etc/ssh/ssh_host_rsa_key -/etc/ssh/ssh_host_ecdsa_key
InaccessiblePaths=-/etc/ssh/ssh_host_ed25519_key -/etc/ssh/ssh_host_dsa_key
InaccessiblePaths=-~/.ssh -~/.aws -~/.azure -~/.config/gcloud -~/.docker -~/.kube
InaccessiblePaths=-~/.gnupg -~/.netrc -~/.git-credentials -~/.npmrc -~/.pypirc
InaccessiblePaths=-~/.cargo/credentials.toml -~/.cargo/credentials
InaccessiblePaths=-/run/docker.sock -/var/run/docker.sock -/run/containerd -/run/podman
InaccessiblePaths=-/run/dbus/system_bus_socket -/run/systemd/private

[Host]
# SysV IPC, POSIX message queues and the hostname of the run's own: a
# test cannot read or remove a host process's shared memory.
PrivateIPC=yes
ProtectHostname=yes

[Environment]
# CI secrets: tokens, passwords and cloud credentials never reach a test
# that did not ask for them by name (Pass=).
Withhold=*TOKEN* *SECRET* *PASSWORD* *PASSWD* *_KEY *_KEY_ID *CREDENTIALS*
Withhold=AWS_* AZURE_* GOOGLE_APPLICATION_CREDENTIALS GCP_* SSH_AUTH_SOCK
Withhold=NPM_TOKEN NODE_AUTH_TOKEN GH_* GITHUB_TOKEN CI_JOB_TOKEN VAULT_*
Withhold=DOCKER_AUTH_CONFIG KUBECONFIG
# Identity tokens CI hands out (GitLab's job JWTs, GitHub's OIDC request
# URL and token) and DSNs, which carry a key.
Withhold=*_JWT *_JWT_* ACTIONS_ID_TOKEN_REQUEST_* *_DSN
# A value that is a URL with a password in it (DATABASE_URL=
# postgres://user:pass@db/app) is withheld whatever its name. A name the
# globs above match that only names a file (*_CA_BUNDLE, *_PATH, *_FILE
# set to an absolute path, AWS_CA_BUNDLE=/etc/ssl/ca.pem) passes: the
# file, not its name, would be the secret, and the filesystem rules keep
# the credential stores out. A name written out in full is always withheld.
WithholdURLPasswords=yes

[Limits]
# Enough for parallel builds, low enough to stop a fork bomb.
Processes=4096
OpenFiles=4096
TmpSize=1G
