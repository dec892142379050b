# shellcheck shell=sh
# Defect 7: a left-leaning chain of 150,000 terms (300 KB, under the
# 1 MiB expression limit) crashed orkc --check in name resolution; it is
# now an error at the term that passes the depth limit (256).  The chain
# is folded over 1,000 lines so that the message's source line is short.
printf 'name: expr_chain\ntasks:\n  a:\n    executor: process\n'
printf '    command: [echo, "{}"]\n  b:\n    executor: process\n'
printf '    command: [echo, "{}"]\n    depends_on: [a]\n    when: "a\n'
awk 'BEGIN {
	for (i = 0; i < 1000; i++) {
		printf "      "
		for (j = 0; j < 150; j++)
			printf "+a"
		printf "\n"
	}
	printf "      \"\n"
}'
