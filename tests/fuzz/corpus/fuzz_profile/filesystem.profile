[Profile]
Include=default
[Filesystem]
ProtectSystem=full
ReadWritePaths=. build ~/out -/missing /w/x/
ReadOnlyPaths=/srv -/denied/x
InaccessiblePaths=~/.ssh /srv/secret
PrivateTmp=yes
ProtectKernelTunables=no
[Limits]
TmpSize=64M
