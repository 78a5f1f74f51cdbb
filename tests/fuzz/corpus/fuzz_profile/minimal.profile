[Profile]
Description=x
