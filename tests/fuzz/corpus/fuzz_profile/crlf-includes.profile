[Profile]
Include=strict default base
[Syscalls]
Allow=ptrace @mount
Deny=reboot:kill mount:EINVAL
DefaultAction=kill
