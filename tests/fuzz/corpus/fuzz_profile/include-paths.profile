[Profile]
Include=/etc/passwd ../x.profile nosuch
[Capabilities]
Keep=net_raw CAP_CHOWN cap_sys_admin
