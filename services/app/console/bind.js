// Render-function helpers for Element Plus components.
/** Two-way binding of a ref to an Element Plus input in a render function (what v-model does). */
export const model = (value) => ({ modelValue: value.value, 'onUpdate:modelValue': (v) => (value.value = v) })
