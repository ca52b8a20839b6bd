// Types for the esbuild alias to @grafana/runtime's PluginPage module (its setter is internal
// to Grafana, not exported from the package entry).
import type { ComponentType } from 'react';
import type { PluginPageProps } from '@grafana/runtime';

export declare function setPluginPage(component: ComponentType<PluginPageProps>): void;
