# shellcheck shell=sh
# A workflow file over 16 MiB is refused at 1:1, before libyaml sees it.
echo "name: file_size  # padding follows, a little over 16 MiB"
awk 'BEGIN {
	line = "# 0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab"
	for (i = 0; i < 270000; i++) print line
}'
