#!/usr/bin/env bash
# Opens a report.html in headless Chromium, at a desktop and at a phone width, and checks
# what a reader would see: every section of the report is in the rendered DOM with a
# non-zero height, every chart (svg[data-chart]) has a title and a non-zero size, every
# chart kind is there, at the phone width nothing is wider than the screen, no text holds an
# emoji (a plain Debian install has no emoji font: it would show an empty box), and every
# verdict mark (svg.mark) is laid out and, rasterised on a canvas, draws pixels.
#
# The report itself has no script. The check runs on a copy with a small inline script
# appended; Chromium's --dump-dom prints the DOM after it ran, and this script reads the
# verdict line from it.
#
#   scripts/check-report-html.sh reports/latest/report.html [SCREENSHOT.png]
#
# Needs Debian's chromium package (apt-get install --no-install-recommends chromium; about
# 125 MB to download, 415 MB installed), so it is not part of make test.
# Exit 0 checked, 1 something is missing, 2 usage, 3 chromium not installed.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 || ! -f "$1" ]]; then
    echo "usage: $0 REPORT.html [SCREENSHOT.png]" >&2
    exit 2
fi
report=$1
screenshot=${2:-}
chromium=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$chromium" ]]; then
    echo "error: chromium not found: install Debian's package (apt-get install --no-install-recommends chromium)" >&2
    exit 3
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The report's section ids, in order (ReportDocument.sectionIDs), and the chart kinds.
sections="summary environment targets performance capacity scenarios resources bottlenecks recommendations monitoring reconciliation reliability functional validation reproduce"
# Every chart in the file must be drawn: count them by kind in the file itself.
expected=$(grep -o 'data-chart="[a-z-]*"' "$report" | sed 's/data-chart="//; s/"//' | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')

probe='<script>
(function () {
  var lines = [], failed = false;
  function fail(message) { failed = true; lines.push("FAIL " + message); }
  var width = document.documentElement.clientWidth;
  "'"$sections"'".split(" ").forEach(function (id) {
    var element = document.getElementById(id);
    if (!element || element.tagName !== "SECTION") { fail("section " + id + " missing"); return; }
    var box = element.getBoundingClientRect();
    if (box.height <= 0 || box.width <= 0) fail("section " + id + " has no size");
    else lines.push("ok section " + id + " " + Math.round(box.width) + "x" + Math.round(box.height));
  });
  var charts = document.querySelectorAll("svg[data-chart]"), kinds = {};
  Array.prototype.forEach.call(charts, function (svg) {
    var box = svg.getBoundingClientRect(), name = svg.getAttribute("data-chart") + " " + svg.id;
    kinds[svg.getAttribute("data-chart")] = (kinds[svg.getAttribute("data-chart")] || 0) + 1;
    if (!(box.width > 0 && box.height > 0)) fail("chart " + name + " has no size");
    else if (box.right > width + 1) fail("chart " + name + " is wider than the page (" + Math.round(box.right) + " > " + width + ")");
    else if (!svg.querySelector("title") || !svg.querySelector("title").textContent) fail("chart " + name + " has no title");
    else lines.push("ok chart " + name + " " + Math.round(box.width) + "x" + Math.round(box.height));
  });
  "'"$expected"'".trim().split(" ").forEach(function (entry) {
    if (!entry) return;
    var kind = entry.split("=")[0], count = Number(entry.split("=")[1]);
    if ((kinds[kind] || 0) !== count) fail((kinds[kind] || 0) + " " + kind + " charts rendered, " + count + " in the file");
    else lines.push("ok " + count + " " + kind + " charts");
  });
  if (document.documentElement.scrollWidth > width + 1) fail("the page scrolls sideways: " + document.documentElement.scrollWidth + " > " + width);
  var emoji = /\p{Extended_Pictographic}/u, walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), node, found = 0;
  while ((node = walker.nextNode())) { if (emoji.test(node.nodeValue)) { found++; if (found <= 3) fail("emoji in text: " + node.nodeValue.trim().slice(0, 60)); } }
  if (!found) lines.push("ok no emoji in the text");
  var marks = document.querySelectorAll("svg.mark"), drawn = 0, pending = [];
  Array.prototype.forEach.call(marks, function (svg, index) {
    var box = svg.getBoundingClientRect();
    if (!(box.width > 0 && box.height > 0)) { fail("mark " + index + " (" + svg.getAttribute("aria-label") + ") has no size"); return; }
    pending.push(new Promise(function (resolve) {
      var copy = svg.cloneNode(true);
      copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
      var image = new Image();
      image.onload = function () {
        var canvas = document.createElement("canvas"); canvas.width = 32; canvas.height = 32;
        var context = canvas.getContext("2d"); context.drawImage(image, 0, 0, 32, 32);
        var data = context.getImageData(0, 0, 32, 32).data, inked = 0;
        for (var i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
        if (inked >= 20) drawn++; else fail("mark " + index + " (" + svg.getAttribute("aria-label") + ") draws " + inked + " pixels");
        resolve();
      };
      image.onerror = function () { fail("mark " + index + " does not rasterise"); resolve(); };
      image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(new XMLSerializer().serializeToString(copy));
    }));
  });
  Promise.all(pending).then(function () {
    if (marks.length) lines.push("ok " + drawn + " of " + marks.length + " verdict marks drawn");
    lines.push((failed ? "RESULT FAIL" : "RESULT OK") + " width " + width + ": " + charts.length + " charts, " + marks.length + " marks");
    var out = document.createElement("pre");
    out.id = "accord-check";
    out.textContent = "\n" + lines.join("\n") + "\n";
    document.body.appendChild(out);
  });
})();
</script>'

# The copy with the probe before </body>.
{
    sed '/<\/body>/,$d' "$report"
    printf '%s\n' "$probe"
    sed -n '/<\/body>/,$p' "$report"
} > "$work/report.html"

status=0
for size in 1280,900 390,844; do
    dom=$("$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
        --user-data-dir="$work/profile" --window-size="$size" --virtual-time-budget=5000 \
        --dump-dom "file://$work/report.html" 2>/dev/null || true)
    result=$(printf '%s\n' "$dom" | sed -n '/<pre id="accord-check">/,/<\/pre>/p' | sed '1d;$d')
    if [[ -z "$result" ]]; then
        echo "window $size: the check did not run (chromium printed no DOM)" >&2
        status=1
        continue
    fi
    echo "window $size:"
    printf '%s\n' "$result" | grep -E '^(FAIL|RESULT|ok [0-9]|ok no emoji)' | sed 's/^/  /'
    printf '%s\n' "$result" | grep -q '^RESULT OK' || status=1
done

if [[ -n "$screenshot" ]]; then
    "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run --hide-scrollbars \
        --user-data-dir="$work/profile" --window-size=1280,2400 --screenshot="$screenshot" "file://$(realpath "$report")" >/dev/null 2>&1
    echo "screenshot: $screenshot"
fi
exit $status
