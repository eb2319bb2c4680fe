/** The report's stylesheet, inlined: light, print-friendly, readable at a glance. */
export const REPORT_CSS = `
:root { --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --card: #ffffff; --bg: #f8fafc; --accent: #4e79a7; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header { padding: 20px 28px 8px; }
h1 { margin: 0 0 4px; font-size: 22px; }
.meta { margin: 0; color: var(--muted); display: flex; flex-wrap: wrap; gap: 4px 18px; }
nav { margin-top: 10px; display: flex; flex-wrap: wrap; gap: 8px; }
nav a { padding: 3px 10px; border: 1px solid var(--line); border-radius: 999px; background: var(--card); color: var(--ink); text-decoration: none; }
main { padding: 0 28px 28px; }
section.profile { margin-top: 18px; }
h2 { font-size: 18px; margin: 18px 0 10px; padding-bottom: 6px; border-bottom: 2px solid var(--accent); }
h3 { font-size: 14px; margin: 0 0 10px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; margin-bottom: 16px; }
.grid.split { grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); }
@media (max-width: 1000px) { .grid.split { grid-template-columns: minmax(0, 1fr); } }
.scroll { overflow-x: auto; }
.card { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; min-width: 0; }
figcaption { font-weight: 600; margin-bottom: 8px; }
.chart { position: relative; height: 300px; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { color: var(--muted); font-weight: 600; font-size: 12px; }
tfoot th, tfoot td { font-weight: 700; border-bottom: none; border-top: 2px solid var(--ink); }
.n { text-align: right; white-space: nowrap; }
.share { color: var(--muted); }
.day { white-space: nowrap; }
table.posts { font-size: 13px; }
td.title { max-width: 240px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
a { color: var(--accent); }
.note { color: var(--muted); font-size: 12px; margin: 8px 0 0; }
.chart-note { color: #9a3412; }
.warnings { margin: 8px 0 0; padding-left: 18px; color: #9a3412; font-size: 12px; }
.empty { color: var(--muted); font-style: italic; }
code { font-size: 12px; background: #f1f5f9; padding: 1px 4px; border-radius: 4px; }
#report-errors { margin: 0 28px 28px; padding: 12px; background: #fef2f2; color: #991b1b; white-space: pre-wrap; }
@media print { body { background: #fff; } .card { break-inside: avoid; } nav { display: none; } }
`;
