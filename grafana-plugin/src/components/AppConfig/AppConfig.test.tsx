import type { AppPluginMeta, PluginConfigPageProps } from '@grafana/data';
import { setBackendSrv } from '@grafana/runtime';
import type { BackendSrv, BackendSrvRequest } from '@grafana/runtime';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import React from 'react';
import { of, throwError } from 'rxjs';
import type { AppJsonData } from '../../types';
import { AppConfig, validateControllerUrl } from './AppConfig';

// Records what the page sends to Grafana's API; answers like Grafana would.
function recordingBackend(answers: Record<string, { status: number; data: unknown }>) {
  const sent: BackendSrvRequest[] = [];
  const srv = {
    fetch: (req: BackendSrvRequest) => {
      sent.push(req);
      const key = Object.keys(answers).find((k) => req.url.startsWith(k));
      const a = key ? answers[key]! : { status: 404, data: { message: 'not found' } };
      return a.status >= 400
        ? throwError(() => ({ status: a.status, data: a.data, config: req }))
        : of({ data: a.data, status: a.status, ok: true, config: req } as never);
    },
  } as unknown as BackendSrv;
  setBackendSrv(srv);
  return sent;
}

function props(
  secureJsonFields: Record<string, boolean>,
): PluginConfigPageProps<AppPluginMeta<AppJsonData>> {
  return {
    plugin: {
      meta: {
        id: 'okome-slo-app',
        enabled: true,
        pinned: true,
        jsonData: { prometheusUid: 'okome-prometheus', controllerUrl: 'http://127.0.86.49:9700' },
        secureJsonFields,
      },
    },
    query: {},
  } as unknown as PluginConfigPageProps<AppPluginMeta<AppJsonData>>;
}

describe('AppConfig', () => {
  it('keeps the stored token when it is not retyped (secureJsonData undefined)', async () => {
    const sent = recordingBackend({
      '/api/datasources/proxy': {
        status: 200,
        data: { status: 'success', data: { version: '2.45.0' } },
      },
      '/api/datasources': {
        status: 200,
        data: [{ uid: 'okome-prometheus', name: 'Prometheus', type: 'prometheus' }],
      },
      '/api/plugins/okome-slo-app/settings': { status: 200, data: { message: 'ok' } },
      '/api/plugin-proxy/okome-slo-app/controller/api/v1/topology': {
        status: 401,
        data: { error: 'unauthorized' },
      },
    });
    render(<AppConfig {...props({ controllerToken: true })} />);
    expect((screen.getByTestId('okome-config-controller-token') as HTMLInputElement).value).toBe(
      'configured',
    );
    fireEvent.click(screen.getByTestId('okome-config-save'));
    await screen.findByTestId('okome-config-saved');
    const save = sent.find((r) => r.method === 'POST');
    expect(save?.data).toEqual({
      enabled: true,
      pinned: true,
      jsonData: { prometheusUid: 'okome-prometheus', controllerUrl: 'http://127.0.86.49:9700' },
      secureJsonData: undefined,
    });
    // The checks run after saving, and a refused token says so.
    await waitFor(() =>
      expect(screen.getByTestId('okome-config-check-controller').textContent).toContain(
        'okome-controller refused the request (401)',
      ),
    );
    expect(screen.getByTestId('okome-config-check-prometheus').textContent).toContain(
      'Prometheus 2.45.0 answers',
    );
  });

  it('sends a newly typed token once, then shows it as configured', async () => {
    const sent = recordingBackend({
      '/api/datasources': { status: 200, data: [] },
      '/api/plugins/okome-slo-app/settings': { status: 200, data: {} },
    });
    render(<AppConfig {...props({})} />);
    fireEvent.change(screen.getByTestId('okome-config-controller-token'), {
      target: { value: 's3cret-token-abcdef' },
    });
    fireEvent.click(screen.getByTestId('okome-config-save'));
    await screen.findByTestId('okome-config-saved');
    expect(sent.find((r) => r.method === 'POST')?.data).toMatchObject({
      secureJsonData: { controllerToken: 's3cret-token-abcdef' },
    });
    expect((screen.getByTestId('okome-config-controller-token') as HTMLInputElement).value).toBe(
      'configured',
    );
  });
});

describe('validateControllerUrl', () => {
  it('names what is wrong with the URL', () => {
    expect(validateControllerUrl('')).toMatch(/Enter the controller URL/);
    expect(validateControllerUrl('ftp://127.0.0.1:9700')).toMatch(/Use http:\/\/ or https:\/\//);
    expect(validateControllerUrl('not a url')).toMatch(/is not a URL/);
    expect(validateControllerUrl('http://user:pw@127.0.0.1:9700')).toMatch(/token field/);
    expect(validateControllerUrl('http://127.0.86.49:9700')).toBeUndefined();
  });
});
