// Public entry of @okome/alerting; filled as the package's issue lands.
export {};
