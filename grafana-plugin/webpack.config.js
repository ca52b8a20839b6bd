// The plugin build as create-plugin sets it up (AMD module.js + lazy chunks, Grafana's shared
// libraries as externals, swc), kept as plain CommonJS so it runs on Node 20 without ts-node.
const fs = require('node:fs');
const path = require('node:path');
const CopyWebpackPlugin = require('copy-webpack-plugin');
const pluginJson = require('./src/plugin.json');
const pkg = require('./package.json');

const SRC = path.join(__dirname, 'src');
const DIST = path.join(__dirname, 'dist');
const DASHBOARDS = path.join(__dirname, '..', 'dashboards');

// Provided by Grafana at runtime; never bundled (create-plugin .config/bundler/externals.ts).
const EXTERNALS = [
  'lodash',
  'jquery',
  'moment',
  'slate',
  'emotion',
  '@emotion/react',
  '@emotion/css',
  'prismjs',
  'slate-plain-serializer',
  '@grafana/slate-react',
  'react',
  'react/jsx-runtime',
  'react/jsx-dev-runtime',
  'react-dom',
  'react-redux',
  'redux',
  'rxjs',
  'i18next',
  'react-router',
  'd3',
  'angular',
  /^@grafana\/ui/i,
  /^@grafana\/runtime/i,
  /^@grafana\/data/i,
  { 'amd-module': 'module' },
  ({ request }, callback) => {
    const prefix = 'grafana/';
    if (request && request.startsWith(prefix))
      return callback(undefined, request.slice(prefix.length));
    return callback();
  },
];

/** Dashboards from the repository's dashboards/ folder become `includes` of type dashboard. */
function dashboardIncludes() {
  if (!fs.existsSync(DASHBOARDS)) return [];
  return fs
    .readdirSync(DASHBOARDS)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const json = JSON.parse(fs.readFileSync(path.join(DASHBOARDS, f), 'utf8'));
      return {
        type: 'dashboard',
        name: json.title || f.replace(/\.json$/, ''),
        path: `dashboards/${f}`,
      };
    });
}

function renderPluginJson(content) {
  const today = new Date().toISOString().slice(0, 10);
  const json = JSON.parse(
    content
      .toString()
      .replace(/%VERSION%/g, pkg.version)
      .replace(/%TODAY%/g, today)
      .replace(/%PLUGIN_ID%/g, pluginJson.id),
  );
  json.includes = [...json.includes, ...dashboardIncludes()];
  return `${JSON.stringify(json, null, 2)}\n`;
}

const config = (env = {}) => {
  const production = Boolean(env.production);
  return {
    mode: production ? 'production' : 'development',
    context: SRC,
    devtool: production ? 'source-map' : 'eval-source-map',
    entry: { module: [path.join(__dirname, 'webpack', 'publicPath.js'), './module.tsx'] },
    externals: EXTERNALS,
    externalsType: 'amd',
    output: {
      clean: true,
      path: DIST,
      filename: '[name].js',
      chunkFilename: '[name].js?_cache=[contenthash]',
      library: { type: 'amd' },
      publicPath: `public/plugins/${pluginJson.id}/`,
      uniqueName: pluginJson.id,
    },
    module: {
      rules: [
        {
          test: /\.[tj]sx?$/,
          exclude: /node_modules/,
          use: {
            loader: 'swc-loader',
            options: {
              jsc: {
                target: 'es2015',
                parser: { syntax: 'typescript', tsx: true, dynamicImport: true },
                transform: { react: { runtime: 'automatic' } },
              },
            },
          },
        },
        {
          test: /\.(png|jpe?g|gif|svg)$/,
          type: 'asset/resource',
          generator: { filename: 'img/[name][ext]' },
        },
        {
          test: /\.(woff|woff2|eot|ttf|otf)$/,
          type: 'asset/resource',
          generator: { filename: 'fonts/[name][ext]' },
        },
      ],
    },
    resolve: { extensions: ['.js', '.jsx', '.ts', '.tsx'], modules: [SRC, 'node_modules'] },
    performance: { hints: false },
    plugins: [
      new CopyWebpackPlugin({
        patterns: [
          { from: 'plugin.json', to: '.', transform: renderPluginJson },
          { from: path.join(__dirname, 'README.md'), to: '.' },
          { from: path.join(__dirname, 'CHANGELOG.md'), to: '.' },
          { from: path.join(__dirname, '..', 'LICENSE'), to: '.', noErrorOnMissing: true },
          { from: 'img/**/*', to: '.' },
          {
            from: path.join(DASHBOARDS, '*.json'),
            to: 'dashboards/[name][ext]',
            noErrorOnMissing: true,
          },
        ],
      }),
    ],
  };
};

module.exports = config;
// For the unit test of the plugin.json that lands in dist/.
module.exports.renderPluginJson = renderPluginJson;
