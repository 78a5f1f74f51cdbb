[Syscals]
Alow=read
[Profile]
Descripton=typo
Key
[Bad
=x
[Syscalls]
Allow=@no-such-group readd
DefaultAction=errno:EPRM
