// HTML escaping and the page frame shared by the landing and findings pages.
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:80rem}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
.down{color:#b00}.ok{color:#070}.muted{color:#666}pre{margin:0;white-space:pre-wrap;font-size:.85rem}
</style></head><body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>`;
}
