#!/usr/bin/env bash
# Regenerate the binary fixtures of tests/data/whole/ from its .txt files (see README.md).
#
# Needs Debian's libreoffice-writer-nogui (or libreoffice-writer), fonts-noto-cjk and
# poppler-utils, and a Python with python-docx and img2pdf, e.g.
#   apt-get -o DPkg::Lock::Timeout=900 install -y libreoffice-writer-nogui fonts-noto-cjk poppler-utils
#   python3 -m venv /tmp/fixvenv && /tmp/fixvenv/bin/pip install python-docx img2pdf
#   PYTHON=/tmp/fixvenv/bin/python bash tests/data/whole/make_fixtures.sh
# The .txt files are the sources and are not rewritten. The .docx files come out byte for byte
# the same on every run; the LibreOffice outputs (.pdf, .doc) differ in their dates and ids only.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A private LibreOffice profile, so a running LibreOffice elsewhere does not swallow the job.
office() { soffice -env:UserInstallation="file://$work/profile" --headless "$@" >/dev/null; }

# 1. The plan with its member list as a real 3-column Word table (appendix 1), and its PDF.
"$PYTHON" make_fixtures.py docx liaocheng_whole_table.txt liaocheng_whole_table.docx
office --convert-to pdf --outdir . liaocheng_whole_table.docx

# 2. The plan with its member list as "（n）unit：duty" paragraphs (section 2.3):
#    a scratch .docx, then Word 97-2003 .doc and PDF from it.
"$PYTHON" make_fixtures.py docx liaocheng_whole_colon.txt "$work/liaocheng_whole_colon.docx"
office --convert-to 'doc:MS Word 97' --outdir . "$work/liaocheng_whole_colon.docx"
office --convert-to pdf --outdir . "$work/liaocheng_whole_colon.docx"

# 3. scanned.pdf: the page of liaocheng_whole_colon.pdf where section 2.3 starts and the next
#    one, as 100-dpi grayscale JPEGs (quality 50) in an image-only PDF (no text layer).
pages=$(pdfinfo liaocheng_whole_colon.pdf | awk '/^Pages:/ {print $2}')
first=
for p in $(seq 1 "$pages"); do
  if pdftotext -f "$p" -l "$p" liaocheng_whole_colon.pdf - | grep -q '成员单位职责'; then first=$p; break; fi
done
[ -n "$first" ] || { echo "section 2.3 not found in liaocheng_whole_colon.pdf" >&2; exit 1; }
last=$(( first + 1 > pages ? pages : first + 1 ))
pdftoppm -f "$first" -l "$last" -r 100 -gray liaocheng_whole_colon.pdf "$work/scan"
"$PYTHON" make_fixtures.py scan scanned.pdf "$work"/scan-*.pgm
if [ -n "$(pdftotext scanned.pdf - | tr -d '[:space:]')" ]; then
  echo "scanned.pdf has a text layer" >&2; exit 1
fi

# 4. no_duty_list.pdf: title, 总则 and 预警 of the plan only (organisations, no member list).
"$PYTHON" make_fixtures.py no-duty-list liaocheng_whole_table.txt "$work/no_duty_list.txt"
"$PYTHON" make_fixtures.py docx "$work/no_duty_list.txt" "$work/no_duty_list.docx"
office --convert-to pdf --outdir . "$work/no_duty_list.docx"

# 5. empty.txt (0 bytes) and blank.docx (a valid Word document with no text).
: > empty.txt
"$PYTHON" make_fixtures.py blank blank.docx

ls -l liaocheng_whole_table.docx liaocheng_whole_table.pdf liaocheng_whole_colon.doc \
  liaocheng_whole_colon.pdf scanned.pdf no_duty_list.pdf empty.txt blank.docx
