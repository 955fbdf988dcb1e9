/* marsad: the DOM helpers the map page (marsad.js) and the comparison page (compare.js) share.
 * Text only: nodes are built with createElement / textContent, never innerHTML with data.
 */
(function () {
  "use strict";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined) return;
      if (k === "text") node.textContent = String(v);
      else if (k === "className") node.className = v;
      else if (k === "dataset") Object.keys(v).forEach(function (d) { node.dataset[d] = String(v[d]); });
      else node.setAttribute(k, String(v));
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function $(sel) { return document.querySelector(sel); }
  function setStatus(text, isError) {
    var s = $("#status");
    s.textContent = text;
    s.classList.toggle("error", !!isError);
  }

  window.MarsadDom = { el: el, clear: clear, $: $, setStatus: setStatus };
})();
