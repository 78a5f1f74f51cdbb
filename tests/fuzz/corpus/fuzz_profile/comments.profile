[Profile]
Description=a # comment
; semicolon comment
# hash
  [Syscalls]  
	Allow = read write   # trailing
Allow=
Deny=
