[Network]
Namespace=host
AddressFamilies=AF_UNIX AF_INET6 AF_PACKET
Forward=tcp:127.0.0.1:5432 tcp:6380=[::1]:16379
Forward=
Forward=tcp:80=10.0.0.1:80
