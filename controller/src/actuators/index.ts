import type { Pool } from '@okome/provisioning';
import { ExecActuator } from './exec';
import { HaproxyActuator } from './haproxy';
import { NginxActuator } from './nginx';
import type { Actuator } from './types';

export interface Actuators {
  nginx: Actuator;
  haproxy: Actuator;
  exec: Actuator;
}

export function defaultActuators(): Actuators {
  return { nginx: new NginxActuator(), haproxy: new HaproxyActuator(), exec: new ExecActuator() };
}

export function actuatorFor(actuators: Actuators, pool: Pool): Actuator {
  return actuators[pool.actuator];
}

export { NginxActuator, HaproxyActuator, ExecActuator };
export type { Actuator };
