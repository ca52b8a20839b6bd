// Public entry of @okome/exporters; filled as the package's issue lands.
export {};
