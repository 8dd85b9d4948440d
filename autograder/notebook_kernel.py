"""The Jupyter kernel that runs a graded notebook: `python -m autograder.notebook_kernel -f
CONNECTION_FILE`, ipykernel's own but for one socket.

ipykernel listens on TCP 127.0.0.1 for the output of processes forked from the kernel. The
grading sandbox refuses every socket but Unix ones, and libzmq aborts the whole process when a
TCP bind cannot list the network interfaces; so this kernel goes without that pipe (what a
forked process prints is lost; everything else talks over the Unix sockets of ZeroMQ's ipc
transport).
"""
from ipykernel import iostream, kernelapp


class IOPubThreadWithoutPipe(iostream.IOPubThread):
    """ipykernel's IOPub thread, never listening for forked processes' output."""

    def __init__(self, socket, pipe: bool = False, session=None):
        super().__init__(socket, pipe=False, session=session)


if __name__ == "__main__":
    kernelapp.IOPubThread = IOPubThreadWithoutPipe  # the one name IPKernelApp builds it by
    kernelapp.launch_new_instance()
