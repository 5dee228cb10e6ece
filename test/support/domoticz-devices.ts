// Devices the tests give the Domoticz stand-in besides (or instead of) the fixture's, as getdevices lists
// them: General/Custom Sensors, whose Data is the number and the unit (`100 m³`).
import type { StandinDevice } from './domoticz-standin.js';

export const customSensor = (idx: string, Name: string, SensorUnit: string, Data: string): StandinDevice => ({
  idx,
  Name,
  Type: 'General',
  SubType: 'Custom Sensor',
  SensorUnit,
  Data,
});

/** `Volume <idx>`, in m³. */
export const volume = (idx: string, Data: string): StandinDevice => customSensor(idx, `Volume ${idx}`, 'm³', Data);

/** `Energy <idx>`, in kWh. */
export const energy = (idx: string, Data: string): StandinDevice => customSensor(idx, `Energy ${idx}`, 'kWh', Data);
