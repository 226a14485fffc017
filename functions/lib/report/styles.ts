/**
 * The report page's only stylesheet, inlined and allowed by its hash in the page's Content-Security-Policy
 * (so the page needs no `style` attribute, no external font and no script).
 */
export const REPORT_CSS = `
:root{--bg:#f6f7f9;--card:#fff;--ink:#1c2430;--muted:#5c6778;--line:#dde2e9;--code:#0f1720;--code-ink:#e3e8ef;
--ok:#1a7f37;--ok-bg:#e6f4ea;--part:#9a6700;--part-bg:#fff4d6;--na:#57606a;--na-bg:#eef0f3;--bad:#c62828;--bad-bg:#fde8e8;
--accent:#2457c5;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;}
@media (prefers-color-scheme:dark){:root{--bg:#11151b;--card:#1a2029;--ink:#e6eaf0;--muted:#9aa5b5;--line:#2c3542;
--ok-bg:#10311c;--ok:#5cc27a;--part-bg:#3a2d08;--part:#e3b341;--na-bg:#262d37;--na:#a9b3c1;--bad-bg:#3d1515;--bad:#ff7b72;--accent:#7aa2ff;}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font-size:15px;line-height:1.45}
main{max-width:1120px;margin:0 auto;padding:20px 20px 48px}
h1{font-size:1.55rem;margin:.1rem 0 .4rem;overflow-wrap:anywhere}
h2{font-size:1.1rem;margin:1.6rem 0 .6rem;padding-bottom:.3rem;border-bottom:1px solid var(--line)}
h3{font-size:1rem;margin:1.1rem 0 .5rem;overflow-wrap:anywhere}
h4{font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);margin:1rem 0 .35rem}
p{margin:.35rem 0}
code{overflow-wrap:anywhere}
code,pre,.mono{font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.86em}
.muted{color:var(--muted)}
.kicker{margin:0;color:var(--muted);font-size:.8rem;text-transform:uppercase;letter-spacing:.06em}
.top{background:var(--card);border:1px solid var(--line);border-left:6px solid var(--na);border-radius:10px;padding:16px 18px}
.top.o-succeeded{border-left-color:var(--ok)}.top.o-partial{border-left-color:var(--part)}.top.o-failed{border-left-color:var(--bad)}
.badge{display:inline-block;font-size:.72rem;font-weight:700;letter-spacing:.04em;padding:.12rem .5rem;border-radius:99px;
background:var(--na-bg);color:var(--na);white-space:nowrap;vertical-align:.08em}
.badge.big{font-size:.85rem;padding:.2rem .7rem}
.s-succeeded .badge,.badge.s-succeeded{background:var(--ok-bg);color:var(--ok)}
.s-partial .badge,.badge.s-partial{background:var(--part-bg);color:var(--part)}
.s-failed .badge,.badge.s-failed{background:var(--bad-bg);color:var(--bad)}
.tiles{display:flex;flex-wrap:wrap;gap:8px;margin:.8rem 0 0;padding:0;list-style:none}
.tiles li{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:6px 12px;min-width:96px}
.tiles b{display:block;font-size:1.25rem}
.tiles span{font-size:.78rem;color:var(--muted)}
.panel{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 16px}
.reason{font-size:1rem;overflow-wrap:anywhere}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:.4rem 0}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;overflow-wrap:anywhere;min-width:0}
@media (min-width:980px){.card dl.facts{grid-template-columns:max-content minmax(0,1fr) max-content minmax(0,1fr)}}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
th{color:var(--muted);font-weight:600;white-space:nowrap}
.num{text-align:right;font-variant-numeric:tabular-nums}
a{color:var(--accent)}
.scroll{overflow-x:auto}
ol.timeline{list-style:none;margin:0;padding:0 0 0 4px}
ol.timeline li{position:relative;display:grid;grid-template-columns:88px 1fr;gap:2px 12px;padding:6px 0 6px 18px;border-left:2px solid var(--line)}
ol.timeline li::before{content:"";position:absolute;left:-7px;top:11px;width:12px;height:12px;border-radius:50%;background:var(--na);border:2px solid var(--card)}
ol.timeline li.k-alarm::before{background:var(--bad)}ol.timeline li.k-retry::before{background:var(--part)}
ol.timeline li.k-capture::before{background:var(--accent)}ol.timeline li.k-ok::before{background:var(--ok)}
ol.timeline li.k-fail::before{background:var(--bad)}ol.timeline li.k-report::before{background:var(--ink)}
ol.timeline time{font-variant-numeric:tabular-nums;color:var(--muted);font-size:.85rem}
ol.timeline .what{overflow-wrap:anywhere}
ol.timeline .detail{grid-column:2;color:var(--muted);font-size:.88rem;overflow-wrap:anywhere}
.service{margin-top:1rem}
.card{background:var(--card);border:1px solid var(--line);border-left:5px solid var(--na);border-radius:8px;margin:8px 0}
.card.s-succeeded{border-left-color:var(--ok)}.card.s-partial{border-left-color:var(--part)}.card.s-failed{border-left-color:var(--bad)}
.card>summary{cursor:pointer;padding:9px 12px;display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 10px;list-style-position:outside}
.card>summary .who{font-weight:600;overflow-wrap:anywhere;min-width:0}
.card>summary .sum{color:var(--muted);font-size:.88rem;margin-left:auto}
.card .body{padding:0 14px 12px;border-top:1px solid var(--line)}
.why{background:var(--part-bg);border-radius:6px;padding:6px 10px;margin-top:.7rem}
.err{background:var(--bad-bg);border-radius:6px;padding:6px 10px;margin-top:.7rem;overflow-wrap:anywhere}
.err b{color:var(--bad)}
ol.attempts{margin:.2rem 0;padding-left:1.3rem}
ol.attempts li{margin:.15rem 0;overflow-wrap:anywhere}
ul.checks{list-style:none;padding:0;margin:.2rem 0}
ul.checks li{margin:.25rem 0;overflow-wrap:anywhere}
.c-pass{color:var(--ok)}.c-fail{color:var(--bad)}.c-warn{color:var(--part)}.c-not-checked{color:var(--na)}
pre.out{background:var(--code);color:var(--code-ink);border-radius:6px;padding:10px 12px;margin:.3rem 0;max-height:32rem;overflow:auto;
white-space:pre-wrap;overflow-wrap:anywhere;font-size:.8rem;line-height:1.35}
.ctl{background:#ffd33d;color:#1c2430;border-radius:3px;padding:0 2px;font-size:.8em}
details.more>summary{cursor:pointer;color:var(--accent);margin:.4rem 0}
footer{margin-top:2rem;color:var(--muted);font-size:.82rem;overflow-wrap:anywhere}
@media (max-width:640px){main{padding:12px 10px 32px}h1{font-size:1.25rem}
dl.facts{grid-template-columns:minmax(72px,28%) 1fr;gap:3px 8px;font-size:.9rem}
ol.timeline li{grid-template-columns:1fr}ol.timeline .detail{grid-column:1}
.card>summary .sum{margin-left:0;flex-basis:100%}.tiles li{min-width:0;flex:1 1 28%;padding:4px 8px}.tiles b{font-size:1.05rem}}
`;
