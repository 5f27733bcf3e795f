export { encryptSecret, decryptSecret, currentKey, loadKeyring, addKeyToFile, resetKeyringForTests } from "./secrets";
export { isSealed, sealedKeyId, SecretDecryptError } from "./secret-box";
export { KeyringError, generateKey, keyIdOf } from "./keyring";
export { hashPassword, verifyPassword, dummyPasswordHash } from "./password-hash";
