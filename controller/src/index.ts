// Public entry of @okome/controller; filled as the package's issue lands.
export {};
