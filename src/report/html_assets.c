/*-------------------------------------------------------------------------
 * html_assets.c
 *    The HTML report's one style sheet and one script, and their hashes.
 *
 * Both are fixed text, the same in every report, so the page's
 * Content-Security-Policy can allow exactly them by their SHA-256
 * ('sha256-...' sources) and nothing else: no inline style attribute, no
 * event handler attribute, no other script can run even if some log text
 * slipped through escaping.  The hashes are computed with libcrypto's
 * EVP_Digest, once per process; libcrypto is loaded then (dlopen), not
 * at every start (see src/live/libpq_loader.h for why).
 *
 * The style sheet has a dark variant (prefers-color-scheme) and a print
 * variant; the script only sorts tables, filters the query table, copies
 * fix SQL and opens every <details> before printing.  The controls it
 * uses are in the page with the hidden attribute, which the script
 * removes: without JavaScript the page shows no control that does
 * nothing.  Together they must stay under HTML_ASSETS_MAX_BYTES (a test
 * checks it).
 *-------------------------------------------------------------------------
 */
#include "src/report/html_assets.h"
#include "src/core/diag.h"

#include <dlfcn.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>

static const char css[] =
	":root{color-scheme:light dark;--bg:#fff;--fg:#1c2329;--muted:#5d6873;--line:#d9dfe5;--card:#f5f7f9;--accent:#2c6cb0;--accent2:#b9650a;--err:#c0392b;--good:#1d7a45;--t10:#b58900;--t40:#d9731a;--t90:#c0392b;--sev-critical:#7d0a1c;--sev-high:#c0392b;--sev-medium:#b9650a;--sev-low:#2c6cb0;--sev-info:#5d6873}\n"
	"@media (prefers-color-scheme:dark){:root{--bg:#14181d;--fg:#dce3ea;--muted:#9aa6b2;--line:#323b45;--card:#1c2229;--accent:#6ba6e5;--accent2:#f0a04b;--err:#f07167;--good:#5cc98a;--t10:#c9a227;--t40:#f0913a;--t90:#f07167;--sev-critical:#e0425a;--sev-high:#f07167;--sev-medium:#f0a04b;--sev-low:#6ba6e5;--sev-info:#9aa6b2}}\n"
	"*{box-sizing:border-box}\n"
	"[hidden]{display:none!important}\n"
	"body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",sans-serif}\n"
	"a{color:var(--accent)}\n"
	".page{display:grid;grid-template-columns:11rem minmax(0,1fr);gap:1.5rem;max-width:92rem;margin:0 auto;padding:1rem 1.25rem 3rem}\n"
	"nav#toc{position:sticky;top:1rem;align-self:start;max-height:calc(100vh - 2rem);overflow:auto;font-size:.9rem}\n"
	"nav#toc ul{list-style:none;margin:0;padding:0}\n"
	"nav#toc li{margin:.15rem 0}\n"
	"nav#toc a{text-decoration:none}\n"
	"nav#toc .brand{font-weight:700;font-size:1.05rem;margin:0 0 .6rem}\n"
	"main{min-width:0}\n"
	"h1{font-size:1.6rem;margin:.2rem 0 .4rem}\n"
	"h2{font-size:1.25rem;margin:0 0 .8rem;padding-bottom:.3rem;border-bottom:1px solid var(--line)}\n"
	"h3{font-size:1.05rem;margin:.2rem 0 .5rem}\n"
	"h4{font-size:.95rem;margin:.8rem 0 .3rem}\n"
	"section{margin:0 0 2.6rem}\n"
	".muted,.note{color:var(--muted)}\n"
	".note{font-size:.88rem}\n"
	".zone{font-weight:600}\n"
	"ul.gaps li{margin:.15rem 0}\n"
	".scroll{overflow-x:auto}\n"
	"table.data{border-collapse:collapse;width:100%;font-size:.88rem;margin:.3rem 0 .8rem}\n"
	"table.data th,table.data td{padding:.3rem .4rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}\n"
	"table.data th{font-weight:600;white-space:nowrap;background:var(--card)}\n"
	"table.data .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"table.data tfoot td{font-style:italic;color:var(--muted)}\n"
	"table.sortable th{cursor:pointer;user-select:none}\n"
	"table.sortable th[aria-sort=descending]::after{content:\" \\25BE\"}\n"
	"table.sortable th[aria-sort=ascending]::after{content:\" \\25B4\"}\n"
	"table.kv{border-collapse:collapse;font-size:.9rem}\n"
	"table.kv th{text-align:left;font-weight:600;padding:.2rem 1rem .2rem 0;vertical-align:top;white-space:nowrap}\n"
	"table.kv td{padding:.2rem 0;vertical-align:top}\n"
	"code,pre{font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,\"Liberation Mono\",monospace}\n"
	"pre{background:var(--card);border:1px solid var(--line);border-radius:4px;padding:.5rem .7rem;margin:.3rem 0;overflow:auto;white-space:pre-wrap;overflow-wrap:anywhere;max-height:28rem}\n"
	"pre.plan-text{white-space:pre;overflow-wrap:normal}\n"
	"td.q{width:100%;max-width:0;min-width:14rem}\n"
	"td.q summary{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}\n"
	"code.fp{font-size:11px;color:var(--muted)}\n"
	"td.q details[open]>:not(summary){position:relative;z-index:1;width:min(84rem,calc(100vw - 22rem));background:var(--bg)}\n"
	"details>summary{cursor:pointer}\n"
	"details[open]>summary{margin-bottom:.3rem}\n"
	".figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(11.5rem,1fr));gap:.7rem;margin:0}\n"
	".figure{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.55rem .8rem}\n"
	".figure dt{color:var(--muted);font-size:.8rem}\n"
	".figure dd{margin:.1rem 0 0;font-size:1.3rem;font-weight:600;font-variant-numeric:tabular-nums}\n"
	".figure dd .sub{display:block;font-size:.78rem;font-weight:400;color:var(--muted)}\n"
	"article.finding{border:1px solid var(--line);border-left:6px solid var(--sev,var(--muted));border-radius:6px;padding:.7rem 1rem;margin:0 0 1rem}\n"
	".sev-critical{--sev:var(--sev-critical)}.sev-high{--sev:var(--sev-high)}.sev-medium{--sev:var(--sev-medium)}.sev-low{--sev:var(--sev-low)}.sev-info{--sev:var(--sev-info)}\n"
	".badge{display:inline-block;padding:0 .4rem;border-radius:3px;font-size:.74rem;font-weight:600;line-height:1.5;color:#fff;background:var(--sev,var(--muted));vertical-align:middle}\n"
	".rank{color:var(--muted);font-weight:400;margin-right:.3rem}\n"
	".facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.4rem 0;font-size:.9rem}\n"
	".facts dt{color:var(--muted)}\n"
	".facts dd{margin:0}\n"
	".fix{margin:.5rem 0}\n"
	"button.copy{font:inherit;font-size:.8rem;padding:.1rem .6rem;border:1px solid var(--line);border-radius:4px;background:var(--card);color:var(--fg);cursor:pointer}\n"
	"button.copy:hover{border-color:var(--accent)}\n"
	".plans{display:grid;grid-template-columns:repeat(auto-fit,minmax(20rem,1fr));gap:1rem}\n"
	".plans figure{margin:0}\n"
	".plans figcaption{font-weight:600;font-size:.88rem}\n"
	"ul.plan,ul.plan ul{list-style:none;margin:0;padding:0}\n"
	"ul.plan ul{padding-left:1.1rem;margin-left:.35rem;border-left:1px dashed var(--line)}\n"
	"ul.plan li{margin:.2rem 0;font-size:.84rem}\n"
	".plan .op{font-weight:600}\n"
	".plan .rel{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}\n"
	".plan .fig{color:var(--muted)}\n"
	".plan .cond{display:block;color:var(--muted);font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.78rem;overflow-wrap:anywhere}\n"
	".badge.t10{background:var(--t10)}.badge.t40{background:var(--t40)}.badge.t90{background:var(--t90)}\n"
	".badge.e10{background:var(--t10)}.badge.e100{background:var(--t40)}.badge.e1000{background:var(--t90)}\n"
	"svg.chart{display:block;width:100%;max-width:58rem;height:auto;margin:.2rem 0 1rem}\n"
	"svg.chart text{fill:var(--muted);font:11px system-ui,sans-serif}\n"
	"svg.chart text.title{fill:var(--fg);font-weight:600;font-size:12px}\n"
	"svg.chart .grid{stroke:var(--line);stroke-width:1}\n"
	"svg.chart .axis{stroke:var(--muted);stroke-width:1}\n"
	"svg.chart .bar{fill:var(--accent)}\n"
	"svg.chart .bar.err{fill:var(--err)}\n"
	"svg.chart .line{fill:none;stroke:var(--accent2);stroke-width:1.6}\n"
	"svg.chart .area{fill:var(--accent2);fill-opacity:.15}\n"
	"svg.chart .hit{fill:var(--fg);fill-opacity:0}\n"
	"svg.chart .hit:hover{fill-opacity:.07}\n"
	"svg.spark{display:block;width:9rem;height:1.6rem;margin-top:.2rem}\n"
	"svg.spark .line{fill:none;stroke:var(--accent);stroke-width:1.2}\n"
	"input#query-filter{font:inherit;font-size:.9rem;padding:.3rem .5rem;width:min(28rem,100%);border:1px solid var(--line);border-radius:4px;background:var(--bg);color:var(--fg)}\n"
	".offscreen{position:fixed;left:-9999px;top:0}\n"
	"@media (max-width:60rem){.page{grid-template-columns:1fr;gap:.5rem}td.q details[open]>:not(summary){width:calc(100vw - 4rem)}nav#toc{position:static;max-height:none}nav#toc ul{display:flex;flex-wrap:wrap;gap:.2rem 1rem}}\n"
	"@media print{body{font-size:10pt;background:#fff;color:#000}.page{display:block;padding:0}nav#toc,button.copy,#query-filter{display:none}pre{max-height:none}a{color:inherit;text-decoration:none}article.finding,figure,svg.chart,tr{break-inside:avoid}section{break-before:auto}h2{break-after:avoid}}\n";

static const char js[] =
	"(function () {\n"
	"  'use strict';\n"
	"  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };\n"
	"  var key = function (cell) {\n"
	"    var v = cell.getAttribute('data-v');\n"
	"    if (v !== null && v !== '') return parseFloat(v);\n"
	"    return cell.textContent.trim().toLowerCase();\n"
	"  };\n"
	"  var compare = function (x, y) {\n"
	"    if (typeof x === 'number' && typeof y === 'number') return x - y;\n"
	"    if (typeof x === 'number') return -1;\n"
	"    if (typeof y === 'number') return 1;\n"
	"    return x < y ? -1 : x > y ? 1 : 0;\n"
	"  };\n"
	"  each(document.querySelectorAll('table.sortable'), function (table) {\n"
	"    var heads = table.tHead.rows[0].cells;\n"
	"    each(heads, function (th, col) {\n"
	"      th.tabIndex = 0;\n"
	"      var sort = function () {\n"
	"        var body = table.tBodies[0];\n"
	"        var rows = Array.prototype.slice.call(body.rows);\n"
	"        var now = th.getAttribute('aria-sort');\n"
	"        var text = th.getAttribute('data-type') === 'text';\n"
	"        var asc = now ? now === 'descending' : text;\n"
	"        each(heads, function (h) { h.removeAttribute('aria-sort'); });\n"
	"        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');\n"
	"        rows.forEach(function (r, i) { r.pgsiftIndex = i; });\n"
	"        rows.sort(function (a, b) {\n"
	"          var c = compare(key(a.cells[col]), key(b.cells[col]));\n"
	"          return (asc ? c : -c) || a.pgsiftIndex - b.pgsiftIndex;\n"
	"        });\n"
	"        rows.forEach(function (r) { body.appendChild(r); });\n"
	"      };\n"
	"      th.addEventListener('click', sort);\n"
	"      th.addEventListener('keydown', function (e) {\n"
	"        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); }\n"
	"      });\n"
	"    });\n"
	"  });\n"
	"  var filter = document.getElementById('query-filter');\n"
	"  if (filter) {\n"
	"    filter.hidden = false;\n"
	"    filter.addEventListener('input', function () {\n"
	"      var words = filter.value.toLowerCase().split(/\\s+/).filter(Boolean);\n"
	"      each(document.querySelectorAll('#queries tbody tr'), function (row) {\n"
	"        var text = row.textContent.toLowerCase();\n"
	"        row.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });\n"
	"      });\n"
	"    });\n"
	"  }\n"
	"  var fallback = function (text) {\n"
	"    var area = document.createElement('textarea');\n"
	"    area.className = 'offscreen';\n"
	"    area.value = text;\n"
	"    document.body.appendChild(area);\n"
	"    area.select();\n"
	"    var ok = false;\n"
	"    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }\n"
	"    document.body.removeChild(area);\n"
	"    return ok;\n"
	"  };\n"
	"  each(document.querySelectorAll('button.copy'), function (button) {\n"
	"    var label = button.textContent;\n"
	"    var code = button.parentNode.querySelector('pre code');\n"
	"    if (!code) return;\n"
	"    button.hidden = false;\n"
	"    var done = function (ok) {\n"
	"      button.textContent = ok ? 'Copied' : 'Select and copy';\n"
	"      setTimeout(function () { button.textContent = label; }, 1500);\n"
	"    };\n"
	"    button.addEventListener('click', function () {\n"
	"      var text = code.textContent;\n"
	"      if (navigator.clipboard && navigator.clipboard.writeText) {\n"
	"        navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallback(text)); });\n"
	"      } else {\n"
	"        done(fallback(text));\n"
	"      }\n"
	"    });\n"
	"  });\n"
	"  window.addEventListener('beforeprint', function () {\n"
	"    each(document.querySelectorAll('details'), function (d) { d.open = true; });\n"
	"  });\n"
	"}());\n";

static char css_hash[HTML_ASSET_HASH_LEN];
static char js_hash[HTML_ASSET_HASH_LEN];
static pthread_once_t hashes_once = PTHREAD_ONCE_INIT;

/* libcrypto's soname in OpenSSL 3, whose headers the build uses */
#define LIBCRYPTO_SONAME "libcrypto.so.3"

/* The libcrypto functions the hashes use, loaded by load_libcrypto. */
typedef struct crypto_api
{
	typeof(EVP_Digest) *digest;
	typeof(EVP_sha256) *sha256;
	typeof(EVP_EncodeBlock) *encode_block;
} crypto_api;

/* Load libcrypto and its three functions into api; 0, or -1 when any is missing. */
static int
load_libcrypto(crypto_api *api)
{
	void	   *h = dlopen(LIBCRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL)
		return -1;
	api->digest = (typeof(EVP_Digest) *) dlsym(h, "EVP_Digest");
	api->sha256 = (typeof(EVP_sha256) *) dlsym(h, "EVP_sha256");
	api->encode_block = (typeof(EVP_EncodeBlock) *) dlsym(h, "EVP_EncodeBlock");
	/* the handle stays open: the process may hash again, and libpq may use the library */
	return api->digest && api->sha256 && api->encode_block ? 0 : -1;
}

/* "sha256-" and the base64 of text's SHA-256 into out. */
static void
hash_source(const crypto_api *api, const char *text, char out[HTML_ASSET_HASH_LEN])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	memcpy(out, "sha256-", 7);
	if (api == NULL || api->digest(text, strlen(text), digest, &n, api->sha256(), NULL) != 1 || n != 32)
	{
		/* no digest, no source: the CSP then allows no style or script at all */
		strcpy(out, "sha256-unavailable");
		return;
	}
	api->encode_block((unsigned char *) out + 7, digest, (int) n);
}

static void
compute_hashes(void)
{
	crypto_api	api;
	int			loaded = load_libcrypto(&api) == 0;

	if (!loaded)
	{
		diag_detail("The page's Content-Security-Policy allows its style sheet and script by their SHA-256, which libcrypto computes: without it the page shows unstyled, without sorting or filtering.");
		diag_hint("Install OpenSSL's library (Debian and Ubuntu: apt-get install libssl3).");
		diag_warning("could not load %s for the HTML report", LIBCRYPTO_SONAME);
	}

	hash_source(loaded ? &api : NULL, css, css_hash);
	hash_source(loaded ? &api : NULL, js, js_hash);
}

const char *
html_assets_css(void)
{
	return css;
}

const char *
html_assets_js(void)
{
	return js;
}

const char *
html_assets_css_hash(void)
{
	pthread_once(&hashes_once, compute_hashes);
	return css_hash;
}

const char *
html_assets_js_hash(void)
{
	pthread_once(&hashes_once, compute_hashes);
	return js_hash;
}

size_t
html_assets_size(void)
{
	return sizeof(css) - 1 + sizeof(js) - 1;
}
