// Public entry of @okome/simulator; filled as the package's issue lands.
export {};
