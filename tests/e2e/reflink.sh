#!/bin/sh
# End to end: a big upstream output reaches its consumer's input without
# a copy on a file system that shares blocks between files (XFS here, on
# a loop-mounted image): ork exec pads the input with spaces to a block
# boundary, and copy_file_range then shares the output's blocks (a
# reflink).  On other file systems (the test directory's own) the input
# is written as before, without padding.
#
# It needs root (mount) and mkfs.xfs (xfsprogs); without them the script
# is skipped.  ORK_TEST_REFLINK=1 (CI) makes a mount that fails an error
# instead of a skip.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

[ "$(id -u)" = 0 ] || skip_all "mounting an XFS image needs root"
command -v mkfs.xfs >/dev/null 2>&1 || skip_all "mkfs.xfs is not installed (xfsprogs)"
command -v filefrag >/dev/null 2>&1 || skip_all "filefrag is not installed (e2fsprogs)"

WF=reflink
SIZE=3000000
write_workflow() {
	mkdir -p bin
	cat >bin/produce <<EOF
#!/bin/sh
printf '"'; head -c $SIZE /dev/zero | tr '\\0' a; printf '"'
EOF
	chmod +x bin/produce
	cat >wf.yaml <<'EOF'
name: reflink
tasks:
  produce: {executor: process, command: [bin/produce]}
  consume: {executor: process, command: [wc, -c], depends_on: [produce]}
EOF
	compile
}

# The input is {"produce": <output>}, maybe with spaces before the value.
input_ok() {
	"$PYTOOL" -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert list(d) == ['produce'], list(d)
assert d['produce'] == 'a' * $SIZE, len(d['produce'])
" "$(rundir)/consume.input.json"
}

project reflink-ext
write_workflow

test_expect_success 'elsewhere the input is written without padding' '
	make_ok
	input_ok
	expect_eq start "{\"produce\":\"aaa" "$(head -c 15 "$(rundir)/consume.input.json")"
'

img=$tmp/xfs.img
mnt=$tmp/xfs
mkdir "$mnt"
truncate -s 512M "$img"
mkfs.xfs -q -m reflink=1 "$img" >mkfs.out 2>&1 || {
	cat mkfs.out >&2
	skip_all "mkfs.xfs could not make an image"
}
if ! mount -o loop "$img" "$mnt" 2>mount.out; then
	cat mount.out >&2
	if [ "${ORK_TEST_REFLINK-}" = 1 ]; then
		echo "not ok - could not mount an XFS image (ORK_TEST_REFLINK=1)"
		exit 1
	fi
	skip_all "could not mount an XFS image (no loop device?)"
fi
# Unmount before the library removes $tmp.
reflink_cleanup() {
	cd /
	umount "$mnt" 2>/dev/null || umount -l "$mnt"
	lib_cleanup
}
trap reflink_cleanup EXIT

proj=$mnt/proj
mkdir "$proj"
cd "$proj"
write_workflow

test_expect_success 'on XFS the consumer gets its input intact' '
	make_ok
	expect_eq state succeeded "$(state consume)"
	input_ok
	expect_eq wc "$(wc -c <"$(rundir)/consume.input.json")" "$(jget "$(outf consume)" "d")"
'

test_expect_success 'the upstream output starts on a block boundary of the input' '
	bs=$(stat -f -c %S "$(rundir)")
	n=$(grep -b -o "\"aaa" "$(rundir)/consume.input.json" | head -n 1 | cut -d: -f1)
	echo "# block size $bs, value at byte $n"
	expect_eq offset 0 $((n % bs))
'

test_expect_success 'and its blocks are shared with the output, not copied' '
	filefrag -v "$(rundir)/consume.input.json" >frag
	cat frag
	expect_grep shared frag
	filefrag -v "$(outf produce)" >frag2
	expect_grep shared frag2
'

finish
