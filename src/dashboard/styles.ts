/**
 * The dashboard's one stylesheet, inlined in every page under the CSP nonce (no request, no
 * CDN). Text meets WCAG AA contrast (4.5:1), chart colours 3:1 against white; focus is always
 * visible; the layout reflows from a phone to a laptop.
 */

/** Series colours, in stacking order; the last is for "other". Each is at least 3:1 on white. */
export const SERIES_COLOURS = 7;

export const dashboardCss = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f6f7f9}
a{color:#0b57d0}
a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
.skip{position:absolute;left:8px;top:-48px;background:#fff;color:#0b57d0;padding:8px 12px;z-index:2}
.skip:focus{top:8px}
header{background:#17212b;color:#fff;display:flex;flex-wrap:wrap;align-items:center;gap:4px 16px;padding:8px 16px}
header :focus-visible{outline-color:#ffd166}
.brand{font-weight:700;font-size:17px;margin-right:8px;color:#fff;text-decoration:none}
nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:2px}
nav a{display:block;color:#fff;text-decoration:none;padding:8px 10px;border-radius:4px}
nav a:hover{background:#2c3a48}
nav a[aria-current=page]{background:#fff;color:#17212b;font-weight:600}
.signout{margin-left:auto}
.signout button{background:transparent;color:#fff;border:1px solid #9aa7b4;border-radius:4px;padding:6px 12px;font:inherit;cursor:pointer}
.signout button:hover{background:#2c3a48}
main{max-width:1100px;margin:0 auto;padding:16px}
main:focus{outline:none}
h1{font-size:24px;margin:8px 0 12px}
h2{font-size:18px;margin:24px 0 8px}
h3{font-size:16px;margin:16px 0 6px}
p{margin:8px 0}
.muted{color:#4a5561}
.card{background:#fff;border:1px solid #d5dbe1;border-radius:6px;padding:12px 16px;margin:12px 0}
.filters{display:flex;flex-wrap:wrap;align-items:flex-end;gap:8px 16px}
.filters label{display:flex;flex-direction:column;font-weight:600;font-size:14px}
input,select,button{font:inherit}
input,select{border:1px solid #6b7682;border-radius:4px;padding:6px 8px;background:#fff;color:#1b1f24;min-height:38px}
.primary{background:#0b57d0;color:#fff;border:0;border-radius:4px;padding:8px 16px;min-height:38px;cursor:pointer}
.primary:hover{background:#0842a0}
.quick{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0 0;padding:0;list-style:none}
.totals{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:12px;margin:12px 0;padding:0}
.totals div{background:#fff;border:1px solid #d5dbe1;border-radius:6px;padding:10px 14px}
.totals dt{color:#4a5561;font-size:13px}
.totals dd{margin:0;font-size:24px;font-weight:700}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:0 16px}
.scroll{overflow-x:auto}
figure{margin:12px 0}
.card>h2:first-child{margin-top:0}
.stacked svg{display:block;width:100%;height:auto}
.bars svg{display:block;overflow:visible}
svg text{font-size:13px;fill:#3d4650}
.axis{stroke:#8a949e;stroke-width:1}
.grid-line{stroke:#e1e5ea;stroke-width:1}
.stack rect{stroke:#fff;stroke-width:.5}
.hw{stroke:#1b1f24;stroke-width:2}
.limit{stroke:#b3261e;stroke-width:2;stroke-dasharray:4 3}
.c0{fill:#0b57d0;background:#0b57d0}.c1{fill:#b3261e;background:#b3261e}.c2{fill:#0f7b3f;background:#0f7b3f}
.c3{fill:#8e44ad;background:#8e44ad}.c4{fill:#a15c00;background:#a15c00}.c5{fill:#00707a;background:#00707a}
.c6{fill:#5f6872;background:#5f6872}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;margin:6px 0;padding:0;list-style:none;font-size:14px}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-1px}
table{border-collapse:collapse;width:100%;background:#fff;font-size:14px}
caption{text-align:left;font-weight:600;padding:6px 0}
th,td{border-bottom:1px solid #e1e5ea;padding:6px 8px;text-align:left;vertical-align:top}
thead th{background:#eef1f4}
tbody th{font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
details{margin:8px 0}
summary{cursor:pointer;color:#0b57d0;padding:4px 0}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
h2 code,h3 code{font-size:inherit}
.props{table-layout:fixed}
.props th:nth-child(1){width:24%}.props th:nth-child(2){width:16%}.props th:nth-child(3){width:11%}
.props td,.props th{overflow-wrap:anywhere}
.app{border-top:2px solid #d5dbe1;margin-top:24px}
pre{background:#17212b;color:#f1f3f5;padding:12px;border-radius:6px;overflow-x:auto;white-space:pre}
.empty{border-left:4px solid #0b57d0}
.alert{border-left:4px solid #b3261e}
.ok{color:#0f7b3f;font-weight:600}
.bad{color:#b3261e;font-weight:600}
.badge{display:inline-block;border:1px solid #6b7682;border-radius:10px;padding:0 8px;font-size:12px;font-weight:400;color:#3d4650;vertical-align:middle}
h3 .badge{margin-left:8px}
.login{max-width:420px;margin:10vh auto;background:#fff;border:1px solid #d5dbe1;border-radius:8px;padding:24px}
.login label{display:block;font-weight:600;margin:12px 0 4px}
.login input{width:100%}
.login .primary{margin-top:16px;width:100%}
.triangle td{min-width:3.5em}
.h0{background:#fff}.h1{background:#eef3fc}.h2{background:#dde7f9}.h3{background:#cbdaf6}.h4{background:#b9cdf3}
.h5{background:#a7c0f0}.h6{background:#95b3ed}.h7{background:#83a6ea}.h8{background:#7199e7}.h9{background:#5f8ce4}
.defs{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}
.defs dt{font-weight:600}
.defs dd{margin:0}
@media (max-width:600px){main{padding:12px}h1{font-size:21px}.signout{margin-left:0}.totals dd{font-size:20px}
.stacked svg text{font-size:34px}.defs{grid-template-columns:1fr}.defs dd{margin-bottom:6px}}
`;
