[Environment]
Clear=yes
Withhold=*TOKEN* AWS_*
Pass=AWS_REGION
Set=TZ=UTC A=b=c
Set=
[Limits]
Timeout=900
Processes=infinity
OpenFiles=
[Identity]
User=nobody
Group=nogroup
