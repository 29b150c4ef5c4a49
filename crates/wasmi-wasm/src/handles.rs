//! A table of values addressed by small non-zero integer handles.

/// Values addressed by handles `1..`; 0 never names a value.
pub struct Handles<T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
}

enum Slot<T> {
    Vacant,
    /// Reserved for a value being created, or taken out while it runs.
    Reserved,
    Full(T),
}

impl<T> Handles<T> {
    pub const fn new() -> Self {
        Self {
            slots: Vec::new(),
            free: Vec::new(),
        }
    }

    /// Reserves a handle for a value that [`Handles::fill`] provides later.
    pub fn reserve(&mut self) -> u32 {
        if let Some(handle) = self.free.pop() {
            self.slots[handle as usize - 1] = Slot::Reserved;
            return handle;
        }
        self.slots.push(Slot::Reserved);
        u32::try_from(self.slots.len()).expect("fewer than 2^32 handles")
    }

    pub fn insert(&mut self, value: T) -> u32 {
        let handle = self.reserve();
        self.fill(handle, value);
        handle
    }

    pub fn fill(&mut self, handle: u32, value: T) {
        if let Some(slot @ Slot::Reserved) = self.slot_mut(handle) {
            *slot = Slot::Full(value);
        }
    }

    pub fn get(&self, handle: u32) -> Option<&T> {
        match self.slots.get((handle as usize).wrapping_sub(1)) {
            Some(Slot::Full(value)) => Some(value),
            _ => None,
        }
    }

    /// Takes a value out, leaving its handle reserved until [`Handles::put_back`].
    pub fn take(&mut self, handle: u32) -> Option<T> {
        let slot = self.slot_mut(handle)?;
        match std::mem::replace(slot, Slot::Reserved) {
            Slot::Full(value) => Some(value),
            other => {
                *slot = other;
                None
            }
        }
    }

    /// Returns a taken value; if its handle was removed meanwhile, drops it.
    pub fn put_back(&mut self, handle: u32, value: T) {
        if let Some(slot @ Slot::Reserved) = self.slot_mut(handle) {
            *slot = Slot::Full(value);
        }
    }

    /// Frees a handle (and drops its value). Unknown handles are ignored.
    pub fn remove(&mut self, handle: u32) {
        if let Some(slot) = self.slot_mut(handle) {
            if !matches!(slot, Slot::Vacant) {
                *slot = Slot::Vacant;
                self.free.push(handle);
            }
        }
    }

    fn slot_mut(&mut self, handle: u32) -> Option<&mut Slot<T>> {
        self.slots.get_mut((handle as usize).wrapping_sub(1))
    }
}

#[cfg(test)]
mod tests {
    use super::Handles;

    #[test]
    fn handles_are_reused_after_removal() {
        let mut handles = Handles::new();
        let a = handles.insert("a");
        let b = handles.insert("b");
        assert_eq!((a, b), (1, 2));
        handles.remove(a);
        assert_eq!(handles.get(a), None);
        assert_eq!(handles.insert("c"), a);
        assert_eq!(handles.get(0), None);
    }

    #[test]
    fn taken_value_is_dropped_if_removed_while_out() {
        let mut handles = Handles::new();
        let a = handles.insert(String::from("a"));
        let value = handles.take(a).unwrap();
        assert!(handles.take(a).is_none());
        handles.remove(a);
        handles.put_back(a, value);
        assert_eq!(handles.get(a), None);
    }
}
