// A mutex that one background thread takes again and again (a simulated board's silicon
// thread, one slice after another; a board monitor, one control-port transfer after
// another) and other threads take now and then (the thread serving the host's PTY, the
// chain's nRST). std::mutex hands a released lock to no one in particular, and the thread
// that released it usually takes it straight back: on a loaded machine the others then
// waited past the host's deadlines (docs/RELIABILITY.md: simulators starved under load).
// Here the background thread locks with LockAfterOthers(), which first lets every thread
// already waiting in lock() go.
//
//   CourteousMutex m;
//   others:     const std::lock_guard lock(m);   (or a condition_variable_any on it)
//   background: m.LockAfterOthers(); … m.unlock();   (or CourteousMutex::AfterOthers)
#pragma once

#include <atomic>
#include <mutex>

namespace hashrig::hal {

class CourteousMutex {
 public:
  // BasicLockable, for std::lock_guard, std::unique_lock and condition_variable_any.
  void lock() {
    ++waiting_;
    mutex_.lock();
    if (--waiting_ == 0) {
      waiting_.notify_all();
    }
  }
  void unlock() { mutex_.unlock(); }
  // Waits until no thread waits in lock(), then locks.
  void LockAfterOthers() {
    for (int waiting = waiting_.load(); waiting > 0; waiting = waiting_.load()) {
      waiting_.wait(waiting);
    }
    mutex_.lock();
  }

  // A scoped LockAfterOthers().
  class AfterOthers {
   public:
    explicit AfterOthers(CourteousMutex& m) : m_(m) { m_.LockAfterOthers(); }
    ~AfterOthers() { m_.unlock(); }
    AfterOthers(const AfterOthers&) = delete;
    AfterOthers& operator=(const AfterOthers&) = delete;

   private:
    CourteousMutex& m_;
  };

 private:
  std::mutex mutex_;
  std::atomic<int> waiting_{0};  // threads in lock() that do not hold it yet
};

}  // namespace hashrig::hal
