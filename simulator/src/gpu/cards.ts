// What a real board reports for the fields that differ between data-centre and consumer
// cards: consumer GeForce boards print [N/A] for serial and ECC, data-centre boards have no fan.
export interface CardTraits {
  powerLimitW: number;
  idlePowerW: number;
  maxSmClockMHz: number;
  idleSmClockMHz: number;
  memClockMHz: number;
  computeCap: string;
  vbios: string;
  datacenter: boolean;
  /** Unified-memory boards (Jetson) report most fields as [N/A]. */
  integrated: boolean;
  pcieGen: number;
  pcieWidth: number;
}

const KNOWN: Array<[RegExp, Partial<CardTraits>]> = [
  [
    /A100/,
    {
      powerLimitW: 300,
      idlePowerW: 44,
      maxSmClockMHz: 1410,
      idleSmClockMHz: 210,
      memClockMHz: 1512,
      computeCap: '8.0',
      vbios: '92.00.90.00.08',
      datacenter: true,
      pcieGen: 4,
      pcieWidth: 16,
    },
  ],
  [
    /H100/,
    {
      powerLimitW: 700,
      idlePowerW: 70,
      maxSmClockMHz: 1980,
      idleSmClockMHz: 345,
      memClockMHz: 2619,
      computeCap: '9.0',
      vbios: '96.00.99.00.01',
      datacenter: true,
      pcieGen: 5,
      pcieWidth: 16,
    },
  ],
  [
    /RTX 4090/,
    {
      powerLimitW: 450,
      idlePowerW: 21,
      maxSmClockMHz: 3120,
      idleSmClockMHz: 210,
      memClockMHz: 10501,
      computeCap: '8.9',
      vbios: '95.02.3C.00.8E',
    },
  ],
  [
    /RTX 4080/,
    {
      powerLimitW: 320,
      idlePowerW: 16,
      maxSmClockMHz: 3105,
      idleSmClockMHz: 210,
      memClockMHz: 11201,
      computeCap: '8.9',
      vbios: '95.03.1E.00.6E',
    },
  ],
  [
    /RTX 4070/,
    {
      powerLimitW: 200,
      idlePowerW: 12,
      maxSmClockMHz: 3105,
      idleSmClockMHz: 210,
      memClockMHz: 10501,
      computeCap: '8.9',
      vbios: '95.04.2E.00.12',
    },
  ],
  [
    /RTX 4060 Ti/,
    {
      powerLimitW: 165,
      idlePowerW: 9,
      maxSmClockMHz: 3105,
      idleSmClockMHz: 210,
      memClockMHz: 9001,
      computeCap: '8.9',
      vbios: '95.06.25.00.52',
      pcieWidth: 8,
    },
  ],
  [
    /RTX 4060/,
    {
      powerLimitW: 115,
      idlePowerW: 8,
      maxSmClockMHz: 3105,
      idleSmClockMHz: 210,
      memClockMHz: 8501,
      computeCap: '8.9',
      vbios: '95.07.2F.00.34',
      pcieWidth: 8,
    },
  ],
  [
    /Jetson|Orin/,
    {
      powerLimitW: 60,
      idlePowerW: 7,
      maxSmClockMHz: 1301,
      idleSmClockMHz: 306,
      memClockMHz: 3199,
      computeCap: '8.7',
      vbios: '[N/A]',
      integrated: true,
    },
  ],
];

export function cardTraits(model: string): CardTraits {
  const base: CardTraits = {
    powerLimitW: 250,
    idlePowerW: 15,
    maxSmClockMHz: 2100,
    idleSmClockMHz: 210,
    memClockMHz: 7001,
    computeCap: '8.6',
    vbios: '94.02.42.00.A9',
    datacenter: false,
    integrated: false,
    pcieGen: 4,
    pcieWidth: 16,
  };
  const hit = KNOWN.find(([re]) => re.test(model));
  return { ...base, ...(hit ? hit[1] : {}) };
}
