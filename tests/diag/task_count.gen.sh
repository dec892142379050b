# shellcheck shell=sh
# A workflow of more than 200,000 tasks is an error at the first task past
# the limit.
printf 'name: task_count\ntasks:\n'
awk 'BEGIN {
	for (i = 0; i <= 200000; i++)
		printf "  t%d: {executor: process, command: [echo, \"{}\"]}\n", i
}'
