// End-to-end tests wait on real processes (scrapes, alert evaluation, nginx reloads).
jest.setTimeout(60_000);
