// Lazy chunks load from wherever Grafana served module.js (create-plugin's publicPath trick):
// the AMD loader passes module.uri through the 'amd-module' external.
import amdMetaModule from 'amd-module';

// eslint-disable-next-line no-undef
__webpack_public_path__ =
  amdMetaModule && amdMetaModule.uri
    ? amdMetaModule.uri.slice(0, amdMetaModule.uri.lastIndexOf('/') + 1)
    : 'public/plugins/okome-slo-app/';
