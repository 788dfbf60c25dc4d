// i18n.js: the page's translation catalog and the t() helper.
//
// The server puts the catalog of the page's language into
// <body data-i18n="..."> (HTML-escaped JSON), so no extra request is needed
// and every string shown to people comes from templates/i18n/<lang>.json.

const catalog = readCatalog();

/** The page's language (from <html lang>), used for dates and times. */
export const lang = document.documentElement.lang || 'en';

function readCatalog() {
  try {
    const data = JSON.parse(document.body.dataset.i18n || '{}');
    return data && typeof data === 'object' ? data : {};
  } catch {
    return {};
  }
}

/** True when the catalog has a text for key. */
export function has(key) {
  return Object.prototype.hasOwnProperty.call(catalog, key);
}

/**
 * The text for key with {name} placeholders filled from vars. A missing key
 * gives the key itself, so a gap in a catalog is visible but never fatal.
 */
export function t(key, vars) {
  const text = has(key) ? String(catalog[key]) : key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole);
}

/** The first key of keys that the catalog has, translated; else the last one. */
export function tFirst(keys, vars) {
  const key = keys.find(has) || keys[keys.length - 1];
  return t(key, vars);
}

function toDate(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Hours and minutes of an RFC 3339 time in the viewer's time zone. */
export function formatTime(iso) {
  const d = toDate(iso);
  if (!d) return '';
  return d.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
}

/** Like formatTime for today; with the date for other days. */
export function formatWhen(iso) {
  const d = toDate(iso);
  if (!d) return '';
  const today = new Date();
  if (d.toDateString() === today.toDateString()) return formatTime(iso);
  return d.toLocaleString(lang, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

/** Weekday, date and time, for "we open again ..." texts. */
export function formatLong(iso) {
  const d = toDate(iso);
  if (!d) return '';
  return d.toLocaleString(lang, { weekday: 'long', day: 'numeric', month: 'long',
    hour: '2-digit', minute: '2-digit' });
}
