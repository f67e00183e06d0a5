// HTML escaping, the page frame shared by every page, and its stylesheet (served as /style.css, so
// the Content-Security-Policy needs no inline style or script).
import { VERSION } from '../version.js';

const SPECIAL = /[&<>"']/;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  if (!SPECIAL.test(text)) return text;
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

/** Tagged template that escapes every interpolated value unless it is already `Html`. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Part = Html | string | number | null | undefined | false | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.text;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

export function page(title: string, body: Html | string): string {
  // A string body is HTML already (the runbook pages render their Markdown themselves).
  const inner = typeof body === 'string' ? new Html(body) : body;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><link rel="stylesheet" href="/style.css"></head>
<body><header><nav><a href="/">vmzombie-exporter</a> <a href="/findings">Findings</a> <a href="/runbooks">Runbooks</a>
<a href="/metrics">Metrics</a> <span class="muted">${VERSION}</span></nav><h1>${title}</h1></header>
<main>${inner}</main></body></html>
`.text;
}

export const STYLESHEET = `*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{font-family:system-ui,sans-serif;line-height:1.4;margin:0 auto;padding:1rem;max-width:84rem;
color:#1b1b1b;background:#fff}
h1{font-size:1.5rem;margin:.5rem 0 1rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}h3{font-size:1rem;margin:0}
nav{display:flex;flex-wrap:wrap;gap:.4rem 1rem;font-size:.95rem}
a{color:#0645ad}
code,pre,kbd{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem}
pre,code{white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word}
pre{margin:0;padding:.4rem .6rem;background:#f4f4f4;border-radius:4px}
.muted{color:#5c5c5c}.ok{color:#17692b}.down{color:#a40000}
.badge{display:inline-block;padding:0 .45rem;border-radius:.7rem;font-size:.8rem;font-weight:600;
border:1px solid currentColor;white-space:nowrap}
.sev-critical{color:#a40000}.sev-warning{color:#8a5300}.sev-info{color:#0b5394}
.mark{color:#5c5c5c}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;margin:0 0 1rem;padding:.6rem;
background:#f7f7f7;border-radius:4px}
form.filters label{display:flex;flex-direction:column;font-size:.85rem;max-width:100%}
form.filters select{max-width:100%;font-size:.95rem}
.finding{border:1px solid #d6d6d6;border-left:5px solid #999;border-radius:4px;padding:.6rem .8rem;
margin:0 0 .8rem;min-width:0}
.finding.critical{border-left-color:#a40000}.finding.warning{border-left-color:#c77c00}
.finding.info{border-left-color:#0b5394}
.finding header{display:flex;flex-wrap:wrap;gap:.3rem .6rem;align-items:baseline}
.subject{font-weight:600;overflow-wrap:anywhere}
.finding p{margin:.3rem 0}
dl{display:grid;grid-template-columns:minmax(7rem,max-content) minmax(0,1fr);gap:.2rem .8rem;margin:.4rem 0}
dt{font-weight:600;color:#333}dd{margin:0;min-width:0;overflow-wrap:anywhere}
dd ul{margin:0;padding-left:1.1rem}dd dl{margin:0}
details{margin:.4rem 0}summary{cursor:pointer}
table{border-collapse:collapse;width:100%}
td,th{border:1px solid #d6d6d6;padding:.3rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
.counts{display:flex;flex-wrap:wrap;gap:.5rem 1.2rem;padding:0;list-style:none}
@media (max-width:40rem){body{padding:.6rem}dl{grid-template-columns:minmax(0,1fr)}dt{margin-top:.3rem}
table,thead,tbody,tr,td,th{display:block}tr{margin-bottom:.5rem}th{display:none}td{border-width:0 0 1px}}
`;
