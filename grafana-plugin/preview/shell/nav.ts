import pluginJson from '../../src/plugin.json';

/** The plugin's nav entries (plugin.json includes of type page), with the id filled in. */
export const NAV = pluginJson.includes
  .filter((i) => i.type === 'page')
  .map((i) => ({
    name: i.name,
    icon: i.icon,
    path: i.path.replace(/%PLUGIN_ID%/g, pluginJson.id),
  }));
