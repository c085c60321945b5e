export * from './contract';
export * from './schemas';
export * from './wire';
export * from './channels';
export * from './pipeline';
export * from './workbench';
