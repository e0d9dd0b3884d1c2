/*-------------------------------------------------------------------------
 * html_assets.h
 *    The fixed CSS and JavaScript of the HTML report, and the SHA-256
 *    sources of its Content-Security-Policy.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_HTML_ASSETS_H
#define PGSIFT_HTML_ASSETS_H

#include <stddef.h>

/* The most the style sheet and the script may weigh together. */
#define HTML_ASSETS_MAX_BYTES (30 * 1024)

/* "sha256-" + 44 base64 characters + NUL. */
#define HTML_ASSET_HASH_LEN 52

/* The style sheet, the content of the report's one <style> element (static). */
const char *html_assets_css(void);

/* The script, the content of its one <script> element (static). */
const char *html_assets_js(void);

/*
 * The CSP source of each, "sha256-" and the base64 of its SHA-256
 * (static, computed once; thread-safe).
 */
const char *html_assets_css_hash(void);
const char *html_assets_js_hash(void);

/* Bytes of the style sheet and the script together. */
size_t		html_assets_size(void);

#endif
