/*!
 * tiny-debounce v1.2.0 — https://github.com/example/tiny-debounce
 * (c) 2021 Example Authors. Released under the MIT License.
 * Vendored unmodified; update by copying dist/tiny-debounce.js from a release.
 */
(function (global, factory) {
  typeof exports === "object" && typeof module !== "undefined"
    ? (module.exports = factory())
    : typeof define === "function" && define.amd
    ? define(factory)
    : ((global = typeof globalThis !== "undefined" ? globalThis : global || self),
      (global.tinyDebounce = factory()));
})(this, function () {
  "use strict";
  function debounce(fn, wait, options) {
    var timer = null;
    var leading = !!(options && options.leading);
    return function () {
      var ctx = this;
      var args = arguments;
      var callNow = leading && timer === null;
      clearTimeout(timer);
      timer = setTimeout(function () {
        timer = null;
        if (!leading) fn.apply(ctx, args);
      }, wait);
      if (callNow) fn.apply(ctx, args);
    };
  }
  return debounce;
});
