// react-inlinesvg fetches each icon; in jsdom an icon is an empty <svg> with its name.
const React = require('react');

function InlineSVG({ src, innerRef, cacheRequests: _c, preProcessor: _p, ...rest }) {
  const name = String(src || '').replace(/^.*\/|\.svg$/g, '');
  return React.createElement('svg', { ref: innerRef, 'data-icon': name, ...rest });
}

module.exports = InlineSVG;
module.exports.default = InlineSVG;
