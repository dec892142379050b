# shellcheck shell=sh
# A workflow of more than 10,000 tasks is an error at the first task past
# the limit.
printf 'name: task_count\ntasks:\n'
awk 'BEGIN {
	for (i = 0; i <= 10000; i++)
		printf "  t%d: {executor: process, command: [echo, \"{}\"]}\n", i
}'
