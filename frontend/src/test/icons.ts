/**
 * An element's text as a person sees it, with each status icon written as
 * [its name] ("[ok] Ready"): the icons are SVGs without text, so plain
 * textContent would not show which one is there.
 */
export function shownText(el: Element): string {
  const copy = el.cloneNode(true) as Element;
  for (const icon of copy.querySelectorAll('[data-icon]')) {
    icon.replaceWith(`[${icon.getAttribute('data-icon')}]`);
  }
  return (copy.textContent ?? '').replace(/\s+/g, ' ').trim();
}
