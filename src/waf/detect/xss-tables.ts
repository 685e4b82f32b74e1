/** Word tables for the XSS detector (our own lists, from the HTML, SVG and MathML specifications). */

function set(words: string): ReadonlySet<string> {
  return new Set(words.split(/\s+/).filter((w) => w !== ''));
}

/** Tags that run or load active content, or change how the page resolves URLs, whatever their attributes. */
export const DANGEROUS_TAGS = set(`
  script iframe frame frameset object embed applet base meta link style xml import isindex xss vmlframe handler
  listener portal noembed noscript layer ilayer
`);

/** Attributes whose value is a URL the browser may navigate to, load or execute. */
export const URL_ATTRIBUTES = set(`
  href src action formaction xlink:href data background lowsrc dynsrc poster codebase cite longdesc usemap classid
  archive icon manifest ping profile folder from to values by dataformatas datasrc content srcset imagesrcset
`);

/** Attributes that are dangerous with any value. */
export const ALWAYS_DANGEROUS_ATTRIBUTES = set('srcdoc');

/**
 * Event handler attribute names from the HTML, SVG and legacy (IE) specifications, without the leading "on".
 * Inside a tag we saw, every on* attribute counts; in an attribute context (no tag seen, the value may be pasted
 * into one) only these do. "online" and "offline" are left out so that "online=true" stays clean.
 */
export const EVENTS = set(`
  abort activate afterprint afterscriptexecute afterupdate animationcancel animationend animationiteration
  animationstart auxclick beforeactivate beforecopy beforecut beforedeactivate beforeeditfocus beforeinput
  beforepaste beforeprint beforescriptexecute beforetoggle beforeunload beforeupdate begin blur bounce cancel
  canplay canplaythrough cellchange change click close contextlost contextmenu contextrestored controlselect copy
  cuechange cut dataavailable datasetchanged datasetcomplete dblclick deactivate drag dragdrop dragend dragenter
  dragexit dragleave dragover dragstart drop durationchange emptied end ended error errorupdate filterchange finish
  focus focusin focusout formchange forminput fullscreenchange fullscreenerror gotpointercapture hashchange help
  input invalid keydown keypress keyup layoutcomplete load loadeddata loadedmetadata loadend loadstart
  losecapture lostpointercapture message messageerror mousedown mouseenter mouseleave mousemove mouseout
  mouseover mouseup mousewheel move moveend movestart pagehide pagereveal pageshow pageswap paste
  pause play playing pointercancel pointerdown pointerenter pointerleave pointermove pointerout pointerover
  pointerrawupdate pointerup popstate progress propertychange ratechange readystatechange repeat reset resize
  resizeend resizestart rowenter rowexit rowsdelete rowsinserted scroll scrollend search securitypolicyviolation
  seeked seeking select selectionchange selectstart show slotchange stalled start stop storage submit suspend
  timeout timeupdate toggle touchcancel touchend touchmove touchstart transitioncancel transitionend transitionrun
  transitionstart unhandledrejection unload volumechange waiting webkitanimationend webkitanimationiteration
  webkitanimationstart webkittransitionend webkitplaybacktargetavailabilitychanged wheel zoom svgload svgunload
`);

/** URL schemes that run script or render attacker-controlled documents. */
export const BAD_SCHEMES = ['javascript:', 'vbscript:', 'livescript:', 'mocha:'];

/** data: URLs that render as active documents. */
export const BAD_DATA_PREFIXES = [
  'data:text/html',
  'data:text/xml',
  'data:text/javascript',
  'data:image/svg',
  'data:application/xhtml',
  'data:application/xml',
  'data:application/javascript',
  'data:application/x-',
  'data:text/xsl',
];

/** Substrings of a lower-cased style value that run script (old IE, old Firefox) or load a script URL. */
export const BAD_STYLE = ['expression(', 'javascript:', 'vbscript:', 'behavior:', '-moz-binding', '@import', 'url(javascript'];

/** Substrings of the whole normalised value that are CSS loading script wherever the value lands in a style. */
export const BAD_CSS_ANYWHERE = ['url(javascript:', 'url(vbscript:', '-moz-binding:url(', 'behavior:url('];
